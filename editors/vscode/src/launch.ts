/**
 * Start-up policy: resolve the server, start it, or report why not and keep looking while it is
 * merely not installed. No `vscode` import (timers and the file watcher are injected), so the
 * policy is unit-tested: each fault is reported once per start, a missing install is retried
 * (quietly) until the server appears, a wrong setting waits for the user, a stop ends retries.
 */
import type { Resolution } from "./resolve";

export type Found = Extract<Resolution, { ok: true }>;
export type Fault = Extract<Resolution, { ok: false }>;

export interface Disposable {
  dispose(): void;
}

export interface LaunchDeps {
  resolve(): Promise<Resolution>;
  /** Start the language client with a found server. */
  start(found: Found): Promise<void>;
  /** Tell the user (called once per distinct fault message). */
  report(fault: Fault): void;
  /** Status only (called on every failed attempt, including quiet retries). */
  failed(fault: Fault): void;
  log(message: string): void;
  every(ms: number, fn: () => void): Disposable;
  /** Calls `fn` when a server package appears (a file watcher in the extension). */
  watch(fn: () => void): Disposable;
}

/** How often a server that is not installed yet is looked for again. */
export const RETRY_MS = 10_000;

export class Launcher {
  private retry: Disposable[] = [];
  private lastFault: string | undefined;
  private running = false;

  constructor(private readonly deps: LaunchDeps) {}

  /** True while retries are scheduled. */
  get waiting(): boolean {
    return this.retry.length > 0;
  }

  /** Resolve and start; on failure report (once per fault) and retry if it is a missing install. */
  async launch(): Promise<boolean> {
    this.stopRetrying();
    const resolution = await this.deps.resolve();
    if (!resolution.ok) {
      this.fail(resolution);
      if (resolution.fault === "not installed") this.retryUntilInstalled();
      return false;
    }
    await this.begin(resolution);
    return true;
  }

  private async begin(found: Found): Promise<void> {
    this.stopRetrying();
    this.lastFault = undefined;
    this.running = true;
    await this.deps.start(found);
  }

  /** The client stopped (restart, settings change, shutdown): no retries either. */
  stop(): void {
    this.running = false;
    this.lastFault = undefined; // a restart tells the user again
    this.stopRetrying();
  }

  private fail(fault: Fault): void {
    this.deps.failed(fault);
    if (this.lastFault === fault.message) return;
    this.lastFault = fault.message;
    this.deps.report(fault);
  }

  private retryUntilInstalled(): void {
    if (this.waiting) return;
    this.deps.log(`Waiting for the server to be installed; looking again every ${RETRY_MS / 1000} s`);
    let busy = false;
    const again = async (): Promise<void> => {
      if (busy || this.running || !this.waiting) return;
      busy = true;
      try {
        const resolution = await this.deps.resolve();
        if (!this.waiting) return; // stopped meanwhile
        if (resolution.ok) {
          await this.begin(resolution);
        } else {
          this.fail(resolution);
        }
      } finally {
        busy = false;
      }
    };
    this.retry = [this.deps.every(RETRY_MS, () => void again()), this.deps.watch(() => void again())];
  }

  private stopRetrying(): void {
    for (const d of this.retry) d.dispose();
    this.retry = [];
  }
}
