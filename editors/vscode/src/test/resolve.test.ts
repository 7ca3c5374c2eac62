import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";

import {
  expandConfiguredPath,
  notFoundMessage,
  type ResolveInputs,
  resolveServerExecutable,
} from "../resolve";

/** Inputs for a POSIX machine where exactly `existing` are executables. */
function posix(existing: string[], overrides: Partial<ResolveInputs> = {}): ResolveInputs {
  const files = new Set(existing);
  return {
    configuredPath: "",
    interpreterPath: undefined,
    pathEnv: "/usr/local/bin:/usr/bin",
    platform: "linux",
    workspaceFolder: "/home/u/proj",
    homeDir: "/home/u",
    isExecutable: (f) => files.has(f),
    ...overrides,
  };
}

describe("resolveServerExecutable order", () => {
  it("prefers the setting over the interpreter and PATH", () => {
    const r = resolveServerExecutable(
      posix(["/opt/codeqa/bin/codeqa-lsp", "/home/u/proj/.venv/bin/codeqa-lsp", "/usr/bin/codeqa-lsp"], {
        configuredPath: "/opt/codeqa/bin/codeqa-lsp",
        interpreterPath: "/home/u/proj/.venv/bin/python",
      }),
    );
    assert.deepEqual(r, { ok: true, command: "/opt/codeqa/bin/codeqa-lsp", source: "setting" });
  });

  it("uses the interpreter's environment before PATH", () => {
    const r = resolveServerExecutable(
      posix(["/home/u/proj/.venv/bin/codeqa-lsp", "/usr/bin/codeqa-lsp"], {
        interpreterPath: "/home/u/proj/.venv/bin/python3.11",
      }),
    );
    assert.deepEqual(r, { ok: true, command: "/home/u/proj/.venv/bin/codeqa-lsp", source: "interpreter" });
  });

  it("falls back to PATH, in PATH order", () => {
    const r = resolveServerExecutable(
      posix(["/usr/bin/codeqa-lsp"], { interpreterPath: "/home/u/proj/.venv/bin/python" }),
    );
    assert.equal(r.ok, true);
    assert.deepEqual(r, { ok: true, command: "/usr/bin/codeqa-lsp", source: "path" });
  });

  it("does not fall back when the configured path is wrong", () => {
    const r = resolveServerExecutable(posix(["/usr/bin/codeqa-lsp"], { configuredPath: "bin/codeqa-lsp" }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.deepEqual(r.tried, ["/home/u/proj/bin/codeqa-lsp"]);
      assert.match(r.message, /codeqa\.server\.path is set to "bin\/codeqa-lsp", but \/home\/u\/proj\/bin\/codeqa-lsp/);
    }
  });

  it("lists every place it looked and says how to fix it when nothing is found", () => {
    const r = resolveServerExecutable(posix([], { interpreterPath: "/env/bin/python" }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.deepEqual(r.tried, ["/env/bin/codeqa-lsp", "/usr/local/bin/codeqa-lsp", "/usr/bin/codeqa-lsp"]);
      assert.match(r.message, /"\/env\/bin\/python" -m pip install codeqa-lsp/);
      assert.match(r.message, /codeqa\.server\.path/);
    }
  });

  it("skips empty PATH entries", () => {
    const r = resolveServerExecutable(posix([], { pathEnv: "::/bin:" }));
    assert.ok(!r.ok && r.tried.length === 1 && r.tried[0] === "/bin/codeqa-lsp");
  });
});

describe("Windows", () => {
  const win = (existing: string[], overrides: Partial<ResolveInputs> = {}): ResolveInputs => ({
    ...posix(existing),
    platform: "win32",
    pathEnv: "C:\\Tools;C:\\Windows",
    pathExt: ".EXE;.CMD",
    workspaceFolder: "C:\\proj",
    homeDir: "C:\\Users\\u",
    ...overrides,
  });

  it("finds Scripts\\codeqa-lsp.exe next to a venv interpreter", () => {
    const r = resolveServerExecutable(
      win(["C:\\proj\\.venv\\Scripts\\codeqa-lsp.exe"], { interpreterPath: "C:\\proj\\.venv\\Scripts\\python.exe" }),
    );
    assert.deepEqual(r, { ok: true, command: "C:\\proj\\.venv\\Scripts\\codeqa-lsp.exe", source: "interpreter" });
  });

  it("finds Scripts\\ under a conda root interpreter", () => {
    const r = resolveServerExecutable(
      win(["C:\\conda\\Scripts\\codeqa-lsp.exe"], { interpreterPath: "C:\\conda\\python.exe" }),
    );
    assert.deepEqual(r, { ok: true, command: "C:\\conda\\Scripts\\codeqa-lsp.exe", source: "interpreter" });
  });

  it("tries PATHEXT extensions on PATH", () => {
    const r = resolveServerExecutable(win(["C:\\Windows\\codeqa-lsp.cmd"]));
    assert.deepEqual(r, { ok: true, command: "C:\\Windows\\codeqa-lsp.cmd", source: "path" });
  });
});

describe("expandConfiguredPath", () => {
  it("expands ~, ${userHome} and ${workspaceFolder}", () => {
    assert.equal(expandConfiguredPath("~/bin/x", "linux", "/w", "/home/u"), "/home/u/bin/x");
    assert.equal(expandConfiguredPath("${userHome}/x", "linux", "/w", "/home/u"), "/home/u/x");
    assert.equal(expandConfiguredPath("${workspaceFolder}/.venv/bin/x", "linux", "/w", "/h"), "/w/.venv/bin/x");
    assert.equal(expandConfiguredPath("./x/../y", "linux", "/w", "/h"), "/w/y");
  });

  it("reports ${workspaceFolder} with no folder open", () => {
    const r = resolveServerExecutable(
      posix([], { configuredPath: "${workspaceFolder}/x", workspaceFolder: undefined }),
    );
    assert.ok(!r.ok && /no folder is open/.test(r.message));
  });
});

describe("real files", () => {
  // One check against the file system, with the same isExecutable rule the extension uses.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codeqa-resolve-"));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("ignores a codeqa-lsp that is not executable", { skip: process.platform === "win32" }, () => {
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    const file = path.join(bin, "codeqa-lsp");
    fs.writeFileSync(file, "#!/bin/sh\n", { mode: 0o644 });
    const isExecutable = (f: string): boolean => {
      try {
        fs.accessSync(f, fs.constants.X_OK);
        return fs.statSync(f).isFile();
      } catch {
        return false;
      }
    };
    const inputs = posix([], { pathEnv: bin, isExecutable });
    assert.equal(resolveServerExecutable(inputs).ok, false);
    fs.chmodSync(file, 0o755);
    assert.deepEqual(resolveServerExecutable(inputs), { ok: true, command: file, source: "path" });
  });
});

describe("notFoundMessage", () => {
  it("suggests plain pip without an interpreter", () => {
    assert.match(notFoundMessage(undefined), /`pip install codeqa-lsp`/);
    assert.match(notFoundMessage(undefined), /on PATH\./);
  });
});
