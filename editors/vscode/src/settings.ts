/**
 * VS Code settings → the server's settings. No `vscode` import, so Node's test runner can check
 * the mapping; the extension passes in a reader backed by `workspace.getConfiguration("codeqa")`.
 *
 * The server reads one section, `codeqa`, both from `initializationOptions` and from
 * `workspace/configuration`; every key below maps one-to-one onto a key of that section.
 * `codeqa.server.path`, `codeqa.interpreter` and `codeqa.trace.server` are the client's own
 * settings and are never sent.
 */

/** The section name the server asks for in `workspace/configuration`. */
export const SERVER_SECTION = "codeqa";

/** The settings the server accepts, in the shape it expects. */
export interface ServerSettings {
  completion: { enable: boolean };
  diagnostics: { enable: boolean };
  suggestions: number;
  /** `null`: use the threshold stored in the model bundle. */
  threshold: number | null;
  debounceMs: number;
  /** `null`: load the bundled default model. */
  modelPath: string | null;
  /** Ghost text: on/off, the quiet time before an automatic request, manual trigger only. */
  inline: { enable: boolean; delayMs: number; manualOnly: boolean };
}

export const DEFAULTS: Readonly<ServerSettings> = Object.freeze({
  completion: Object.freeze({ enable: true }),
  diagnostics: Object.freeze({ enable: true }),
  suggestions: 5,
  threshold: null,
  debounceMs: 200,
  modelPath: null,
  inline: Object.freeze({ enable: true, delayMs: 200, manualOnly: false }),
});

/** Reads one key (relative to the `codeqa` section); `undefined` when unset. */
export type SettingReader = (key: string) => unknown;

export interface ReadResult {
  settings: ServerSettings;
  /** One line per ignored value, for the output channel: the user sees why a value had no effect. */
  problems: string[];
}

function readBool(get: SettingReader, key: string, fallback: boolean, problems: string[]): boolean {
  const value = get(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value === "boolean") return value;
  problems.push(`codeqa.${key}: expected true or false, got ${JSON.stringify(value)}; using ${fallback}`);
  return fallback;
}

function readInt(
  get: SettingReader,
  key: string,
  fallback: number,
  min: number,
  max: number,
  problems: string[],
): number {
  const value = get(key);
  if (value === undefined || value === null) return fallback;
  if (typeof value === "number" && Number.isInteger(value) && value >= min && value <= max) {
    return value;
  }
  problems.push(
    `codeqa.${key}: expected an integer in [${min}, ${max}], got ${JSON.stringify(value)}; using ${fallback}`,
  );
  return fallback;
}

function readThreshold(get: SettingReader, problems: string[]): number | null {
  const value = get("threshold");
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= 1) return value;
  problems.push(
    `codeqa.threshold: expected a number in [0, 1] or null, got ${JSON.stringify(value)}; using the model's threshold`,
  );
  return null;
}

function readPath(get: SettingReader, key: string, problems: string[]): string | null {
  const value = get(key);
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") {
    problems.push(`codeqa.${key}: expected a path string, got ${JSON.stringify(value)}; ignoring it`);
    return null;
  }
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

/** Reads and validates every server setting; invalid values fall back to the default. */
export function readServerSettings(get: SettingReader): ReadResult {
  const problems: string[] = [];
  const settings: ServerSettings = {
    completion: { enable: readBool(get, "completion.enable", DEFAULTS.completion.enable, problems) },
    diagnostics: {
      enable: readBool(get, "diagnostics.enable", DEFAULTS.diagnostics.enable, problems),
    },
    suggestions: readInt(get, "suggestions", DEFAULTS.suggestions, 1, 20, problems),
    threshold: readThreshold(get, problems),
    debounceMs: readInt(get, "debounceMs", DEFAULTS.debounceMs, 0, 10000, problems),
    modelPath: readPath(get, "modelPath", problems),
    inline: {
      enable: readBool(get, "inline.enable", DEFAULTS.inline.enable, problems),
      delayMs: readInt(get, "inline.delayMs", DEFAULTS.inline.delayMs, 0, 10000, problems),
      manualOnly: readBool(get, "inline.manualOnly", DEFAULTS.inline.manualOnly, problems),
    },
  };
  return { settings, problems };
}

/**
 * The `initializationOptions` sent on start-up: the server's section, nested under its name as
 * the server documents (`{"codeqa": {...}}`), with unset optional values left out so the server's
 * own defaults apply.
 */
export function toInitializationOptions(settings: ServerSettings): Record<string, unknown> {
  return { [SERVER_SECTION]: toConfigurationSection(settings) };
}

/** The value returned for a `workspace/configuration` request for section `codeqa`. */
export function toConfigurationSection(settings: ServerSettings): Record<string, unknown> {
  const section: Record<string, unknown> = {
    completion: { enable: settings.completion.enable },
    diagnostics: { enable: settings.diagnostics.enable },
    suggestions: settings.suggestions,
    debounceMs: settings.debounceMs,
    inline: { enable: settings.inline.enable, delayMs: settings.inline.delayMs, manualOnly: settings.inline.manualOnly },
  };
  if (settings.threshold !== null) section.threshold = settings.threshold;
  if (settings.modelPath !== null) section.modelPath = settings.modelPath;
  return section;
}

/** The client's own settings under `codeqa.`: never sent to the server. */
export const CLIENT_ONLY_KEYS: readonly string[] = ["server.path", "interpreter", "trace.server"];

/** Settings whose change needs a server restart (the rest reach it via didChangeConfiguration). */
export const RESTART_KEYS: readonly string[] = ["codeqa.server.path", "codeqa.interpreter", "codeqa.modelPath"];
