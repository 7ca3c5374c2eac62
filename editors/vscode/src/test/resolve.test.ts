import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { after, describe, it } from "node:test";

import {
  expandConfiguredPath,
  installCommand,
  notFoundMessage,
  type ResolveInputs,
  resolveServer,
} from "../resolve";

/** A POSIX machine where exactly `existing` are executables and `withModule` interpreters have the server. */
function posix(existing: string[], withModule: string[] = [], overrides: Partial<ResolveInputs> = {}): ResolveInputs {
  const files = new Set(existing);
  const servers = new Set(withModule);
  return {
    configuredPath: "",
    configuredInterpreter: [],
    interpreterPath: undefined,
    pathEnv: "/usr/local/bin:/usr/bin",
    platform: "linux",
    workspaceFolder: "/home/u/proj",
    homeDir: "/home/u",
    trusted: true,
    isExecutable: (f) => files.has(f),
    hasServerModule: (cmd) => servers.has(cmd.join(" ")),
    ...overrides,
  };
}

const VENV_PY = "/home/u/proj/.venv/bin/python";
const SELECTED = "/home/u/envs/work/bin/python";

describe("resolveServer order", () => {
  it("codeqa.server.path first: the executable itself", () => {
    const r = resolveServer(
      posix(["/opt/codeqa/bin/codeqa-lsp", SELECTED], [SELECTED], {
        configuredPath: "/opt/codeqa/bin/codeqa-lsp",
        interpreterPath: SELECTED,
      }),
    );
    assert.deepEqual(r, { ok: true, command: "/opt/codeqa/bin/codeqa-lsp", args: [], source: "server.path" });
  });

  it("then codeqa.interpreter, with its arguments, as `-m codeqa_lsp`", () => {
    const r = resolveServer(
      posix(["/opt/py/bin/python3", SELECTED], ["/opt/py/bin/python3 -X utf8", SELECTED], {
        configuredInterpreter: ["/opt/py/bin/python3", "-X", "utf8"],
        interpreterPath: SELECTED,
      }),
    );
    assert.deepEqual(r, {
      ok: true,
      command: "/opt/py/bin/python3",
      args: ["-X", "utf8", "-P", "-m", "codeqa_lsp"],
      source: "interpreter setting",
    });
  });

  it("then the Python extension's interpreter", () => {
    const r = resolveServer(posix([SELECTED, VENV_PY, "/usr/bin/codeqa-lsp"], [SELECTED, VENV_PY], { interpreterPath: SELECTED }));
    assert.deepEqual(r, { ok: true, command: SELECTED, args: ["-P", "-m", "codeqa_lsp"], source: "selected interpreter" });
  });

  it("then the workspace's .venv when the selected interpreter lacks the server", () => {
    const r = resolveServer(posix([SELECTED, VENV_PY], [VENV_PY], { interpreterPath: SELECTED }));
    assert.deepEqual(r, { ok: true, command: VENV_PY, args: ["-P", "-m", "codeqa_lsp"], source: "workspace .venv" });
  });

  it("then codeqa-lsp on PATH, in PATH order", () => {
    const r = resolveServer(posix([SELECTED, "/usr/bin/codeqa-lsp"], [], { interpreterPath: SELECTED }));
    assert.deepEqual(r, { ok: true, command: "/usr/bin/codeqa-lsp", args: [], source: "PATH" });
  });

  it("runs no interpreter inside the workspace in Restricted Mode", () => {
    const r = resolveServer(posix([VENV_PY], [VENV_PY], { interpreterPath: VENV_PY, trusted: false }));
    assert.equal(r.ok, false);
    if (!r.ok) assert.deepEqual(r.tried.slice(0, 2), [`${VENV_PY} (skipped: Restricted Mode)`, `${VENV_PY} (skipped: Restricted Mode)`]);
    const outside = resolveServer(posix([SELECTED], [SELECTED], { interpreterPath: SELECTED, trusted: false }));
    assert.equal(outside.ok && outside.source, "selected interpreter");
  });
});

describe("one message per fault, with the fix for that fault", () => {
  it("a wrong codeqa.server.path: fix the setting (no install advice, no fallback)", () => {
    const r = resolveServer(posix(["/usr/bin/codeqa-lsp"], [], { configuredPath: "bin/codeqa-lsp" }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.fault, "server.path");
      assert.deepEqual(r.tried, ["/home/u/proj/bin/codeqa-lsp"]);
      assert.match(r.message, /^CodeQA: codeqa\.server\.path is set to "bin\/codeqa-lsp", but \/home\/u\/proj\/bin\/codeqa-lsp/);
      assert.doesNotMatch(r.message, /pip install|codeqa-train export|CodeQA: CodeQA|codeqa: codeqa/);
    }
  });

  it("a wrong codeqa.interpreter: fix the setting", () => {
    const r = resolveServer(posix([], [], { configuredInterpreter: ["~/py/bin/python"] }));
    assert.ok(!r.ok && r.fault === "interpreter");
    if (!r.ok) {
      assert.match(r.message, /codeqa\.interpreter is set to "~\/py\/bin\/python", but \/home\/u\/py\/bin\/python is not an executable/);
      assert.doesNotMatch(r.message, /pip install/);
    }
  });

  it("codeqa.interpreter without the server: install it there", () => {
    const r = resolveServer(posix(["/opt/py/bin/python"], [], { configuredInterpreter: ["/opt/py/bin/python"] }));
    assert.ok(!r.ok && r.fault === "not installed");
    if (!r.ok) assert.match(r.message, /`\/opt\/py\/bin\/python -m pip install <path to the codeqa-lsp checkout>`/);
  });

  it("nothing anywhere: install into the selected interpreter; lists every place tried", () => {
    const r = resolveServer(posix([SELECTED, VENV_PY], [], { interpreterPath: SELECTED }));
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.fault, "not installed");
      assert.deepEqual(r.tried, [
        `${SELECTED} -m codeqa_lsp`,
        `${VENV_PY} -m codeqa_lsp`,
        "/usr/local/bin/codeqa-lsp",
        "/usr/bin/codeqa-lsp",
      ]);
      assert.equal(
        r.message,
        `CodeQA: the codeqa-lsp server is not installed for the selected Python interpreter (${SELECTED}), ` +
          "in the workspace's .venv or on PATH. Install it with " +
          `\`${SELECTED} -m pip install <path to the codeqa-lsp checkout>\`; CodeQA starts once it is there.`,
      );
    }
  });

  it("quotes an interpreter path with spaces", () => {
    assert.equal(installCommand("C:\\Program Files\\Python\\python.exe"), '"C:\\Program Files\\Python\\python.exe" -m pip install <path to the codeqa-lsp checkout>');
    assert.match(notFoundMessage(undefined), /`python -m pip install <path to the codeqa-lsp checkout>`/);
  });
});

describe("Windows", () => {
  const win = (existing: string[], withModule: string[], overrides: Partial<ResolveInputs> = {}): ResolveInputs => ({
    ...posix(existing, withModule),
    platform: "win32",
    pathEnv: "C:\\Tools;C:\\Windows",
    pathExt: ".EXE;.CMD",
    workspaceFolder: "C:\\proj",
    homeDir: "C:\\Users\\u",
    ...overrides,
  });

  it("finds the workspace's .venv\\Scripts\\python.exe", () => {
    const py = "C:\\proj\\.venv\\Scripts\\python.exe";
    const r = resolveServer(win([py], [py]));
    assert.deepEqual(r, { ok: true, command: py, args: ["-P", "-m", "codeqa_lsp"], source: "workspace .venv" });
  });

  it("tries PATHEXT extensions on PATH", () => {
    const r = resolveServer(win(["C:\\Windows\\codeqa-lsp.cmd"], []));
    assert.deepEqual(r, { ok: true, command: "C:\\Windows\\codeqa-lsp.cmd", args: [], source: "PATH" });
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
    const r = resolveServer(posix([], [], { configuredPath: "${workspaceFolder}/x", workspaceFolder: undefined }));
    assert.ok(!r.ok && /^CodeQA: codeqa\.server\.path uses .* no folder is open/.test(r.message));
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
    const inputs = posix([], [], { pathEnv: bin, isExecutable });
    assert.equal(resolveServer(inputs).ok, false);
    fs.chmodSync(file, 0o755);
    assert.deepEqual(resolveServer(inputs), { ok: true, command: file, args: [], source: "PATH" });
  });
});
