import assert from "node:assert/strict";
import { describe, it } from "node:test";

import { parseModelStatus, presentStatus } from "../status";

describe("parseModelStatus", () => {
  it("accepts the server's states", () => {
    for (const state of ["idle", "loading", "ready", "error"]) {
      assert.deepEqual(parseModelStatus({ state, message: "m" }), { state, message: "m" });
    }
  });

  it("defaults a missing message to empty", () => {
    assert.deepEqual(parseModelStatus({ state: "ready" }), { state: "ready", message: "" });
  });

  it("rejects malformed payloads", () => {
    for (const bad of [null, undefined, "ready", 3, {}, { state: "done" }, { state: 1 }, { state: "stopped" }]) {
      assert.equal(parseModelStatus(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe("presentStatus", () => {
  it("shows a spinner while loading and puts the message in the tooltip", () => {
    const view = presentStatus({ state: "loading", message: "model/default (12 MB)" });
    assert.equal(view.text, "$(loading~spin) CodeQA: loading model");
    assert.match(view.tooltip, /^CodeQA model: loading model\nmodel\/default \(12 MB\)\n/);
    assert.equal(view.severity, "normal");
  });

  it("keeps the ready text short", () => {
    const view = presentStatus({ state: "ready", message: "" });
    assert.equal(view.text, "$(check) CodeQA");
    assert.equal(view.tooltip, "CodeQA model: ready\nClick to show the server log.");
  });

  it("marks errors and stopped servers", () => {
    assert.equal(presentStatus({ state: "error", message: "bad checksum" }).severity, "error");
    assert.equal(presentStatus({ state: "error", message: "" }).text, "$(error) CodeQA: error");
    assert.equal(presentStatus({ state: "stopped", message: "" }).severity, "warning");
  });
});
