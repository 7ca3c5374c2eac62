import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { type Fault, type Found, Launcher, type LaunchDeps, RETRY_MS } from "../launch";
import type { Resolution } from "../resolve";

const FOUND: Found = { ok: true, command: "/env/bin/python", args: ["-P", "-m", "codeqa_lsp"], source: "selected interpreter" };
const MISSING: Fault = { ok: false, message: "CodeQA: not installed", tried: ["/env/bin/python -m codeqa_lsp"], fault: "not installed" };
const BAD_PATH: Fault = { ok: false, message: "CodeQA: codeqa.server.path is wrong", tried: [], fault: "server.path" };

/** Deps whose resolve() answers from `answers` in turn; timers and watchers fire on demand. */
function harness(answers: Resolution[]) {
  const calls = { resolve: 0, started: [] as Found[], reported: [] as string[], failed: 0 };
  const timers: { ms: number; fn: () => void; live: boolean }[] = [];
  const watchers: { fn: () => void; live: boolean }[] = [];
  const deps: LaunchDeps = {
    resolve: () => Promise.resolve(answers[Math.min(calls.resolve++, answers.length - 1)]),
    start: (found) => {
      calls.started.push(found);
      return Promise.resolve();
    },
    report: (fault) => calls.reported.push(fault.message),
    failed: () => calls.failed++,
    log: () => undefined,
    every: (ms, fn) => {
      const t = { ms, fn, live: true };
      timers.push(t);
      return { dispose: () => (t.live = false) };
    },
    watch: (fn) => {
      const w = { fn, live: true };
      watchers.push(w);
      return { dispose: () => (w.live = false) };
    },
  };
  const tick = async (): Promise<void> => {
    for (const t of timers.filter((x) => x.live)) t.fn();
    await new Promise((r) => setImmediate(r));
  };
  return { deps, calls, timers, watchers, tick };
}

describe("Launcher", () => {
  it("starts a found server at once, with no retries", async () => {
    const h = harness([FOUND]);
    const launcher = new Launcher(h.deps);
    assert.equal(await launcher.launch(), true);
    assert.deepEqual(h.calls.started, [FOUND]);
    assert.equal(launcher.waiting, false);
    assert.equal(h.timers.length, 0);
  });

  it("retries a missing install every RETRY_MS, reports it once, and starts when it appears", async () => {
    const h = harness([MISSING, MISSING, MISSING, FOUND]);
    const launcher = new Launcher(h.deps);
    assert.equal(await launcher.launch(), false);
    assert.equal(launcher.waiting, true);
    assert.equal(h.timers[0].ms, RETRY_MS);
    await h.tick();
    await h.tick();
    assert.deepEqual(h.calls.reported, ["CodeQA: not installed"]); // one message for one fault
    assert.equal(h.calls.failed, 3);
    assert.deepEqual(h.calls.started, []);
    await h.tick();
    assert.deepEqual(h.calls.started, [FOUND]);
    assert.equal(launcher.waiting, false);
    assert.ok(h.timers.every((t) => !t.live) && h.watchers.every((w) => !w.live));
  });

  it("a new server package in the workspace triggers a look at once", async () => {
    const h = harness([MISSING, FOUND]);
    const launcher = new Launcher(h.deps);
    await launcher.launch();
    h.watchers[0].fn();
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(h.calls.started, [FOUND]);
  });

  it("a wrong setting is reported and not retried (a settings change restarts)", async () => {
    const h = harness([BAD_PATH]);
    const launcher = new Launcher(h.deps);
    assert.equal(await launcher.launch(), false);
    assert.equal(launcher.waiting, false);
    assert.deepEqual(h.calls.reported, ["CodeQA: codeqa.server.path is wrong"]);
  });

  it("stop() ends the retries; a restart reports the fault again", async () => {
    const h = harness([MISSING]);
    const launcher = new Launcher(h.deps);
    await launcher.launch();
    launcher.stop();
    assert.equal(launcher.waiting, false);
    await h.tick();
    assert.equal(h.calls.resolve, 1);
    await launcher.launch();
    assert.deepEqual(h.calls.reported, ["CodeQA: not installed", "CodeQA: not installed"]);
  });
});
