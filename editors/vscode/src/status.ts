/**
 * The model state shown in the status bar. Parses the server's `codeqa/modelStatus`
 * notification and turns a state into status-bar text; no `vscode` import, so it is unit-tested.
 */

export const MODEL_STATUS_NOTIFICATION = "codeqa/modelStatus";

export type ModelState = "starting" | "idle" | "loading" | "ready" | "error" | "stopped";

export interface ModelStatus {
  state: ModelState;
  message: string;
}

// "idle": the server has no model loaded (before the first load starts).
const SERVER_STATES: ReadonlySet<string> = new Set(["idle", "loading", "ready", "error"]);

/** Validates a `codeqa/modelStatus` payload; `undefined` for anything malformed. */
export function parseModelStatus(params: unknown): ModelStatus | undefined {
  if (typeof params !== "object" || params === null) return undefined;
  const { state, message } = params as Record<string, unknown>;
  if (typeof state !== "string" || !SERVER_STATES.has(state)) return undefined;
  return { state: state as ModelState, message: typeof message === "string" ? message : "" };
}

export interface StatusPresentation {
  /** Status-bar text; `$(name)` is a codicon. */
  text: string;
  tooltip: string;
  /** Drives the item's background colour. */
  severity: "normal" | "warning" | "error";
}

const LABELS: Record<ModelState, { icon: string; label: string; severity: StatusPresentation["severity"] }> = {
  starting: { icon: "$(loading~spin)", label: "starting", severity: "normal" },
  idle: { icon: "$(circle-outline)", label: "no model loaded", severity: "normal" },
  loading: { icon: "$(loading~spin)", label: "loading model", severity: "normal" },
  ready: { icon: "$(check)", label: "ready", severity: "normal" },
  error: { icon: "$(error)", label: "error", severity: "error" },
  stopped: { icon: "$(circle-slash)", label: "stopped", severity: "warning" },
};

/** Status-bar text and tooltip for a state; the server's message goes into the tooltip. */
export function presentStatus(status: ModelStatus): StatusPresentation {
  const { icon, label, severity } = LABELS[status.state];
  const detail = status.message.trim();
  const tooltip = `CodeQA model: ${label}` + (detail ? `\n${detail}` : "") + "\nClick to show the server log.";
  const text = status.state === "ready" ? `${icon} CodeQA` : `${icon} CodeQA: ${label}`;
  return { text, tooltip, severity };
}
