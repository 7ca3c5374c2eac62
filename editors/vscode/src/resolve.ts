/**
 * How to start the server, following the Python tools' convention (ruff's extension, Microsoft's
 * Python tools template): run `<interpreter> -m codeqa_lsp` with the interpreter the user chose.
 *
 * Order: `codeqa.server.path` (an executable), `codeqa.interpreter`, the interpreter selected in the
 * Python extension, the workspace's `.venv`, then `codeqa-lsp` on `PATH`. An explicit setting that
 * does not work is an error of its own (nothing else is started in its place). Pure apart from the
 * injected checks, so the order and every message are unit-tested without VS Code.
 */
import * as path from "node:path";

export type ServerSource = "server.path" | "interpreter setting" | "selected interpreter" | "workspace .venv" | "PATH";

export interface ResolveInputs {
  /** Value of `codeqa.server.path` (may be empty, relative, start with `~` or `${workspaceFolder}`). */
  configuredPath: string | undefined;
  /** Value of `codeqa.interpreter`: the interpreter and any arguments before `-m codeqa_lsp`. */
  configuredInterpreter: readonly string[] | undefined;
  /** The interpreter selected in the Python extension (or `python.defaultInterpreterPath`). */
  interpreterPath: string | undefined;
  /** The `PATH` environment variable. */
  pathEnv: string | undefined;
  /** `PATHEXT` on Windows (defaults to `.COM;.EXE;.BAT;.CMD`). */
  pathExt?: string | undefined;
  platform: NodeJS.Platform;
  workspaceFolder: string | undefined;
  homeDir: string;
  /** True when `file` exists, is a regular file and may be executed. */
  isExecutable: (file: string) => boolean;
  /**
   * False in Restricted Mode: no interpreter inside the workspace is run (a workspace's `.venv`
   * is code from the workspace), and VS Code already ignores workspace values of the settings.
   */
  trusted: boolean;
  /** True when `codeqa_lsp` can be imported by this interpreter command. */
  hasServerModule: (interpreter: readonly string[]) => boolean;
}

export type Resolution =
  | { ok: true; command: string; args: string[]; source: ServerSource }
  | { ok: false; message: string; tried: string[]; fault: "server.path" | "interpreter" | "not installed" };

export const EXECUTABLE_NAME = "codeqa-lsp";
export const MODULE_NAME = "codeqa_lsp";
/** The install command's argument: the package is not on any index, it installs from a checkout. */
export const INSTALL_TARGET = "<path to the codeqa-lsp checkout>";

function pathLib(platform: NodeJS.Platform): path.PlatformPath {
  return platform === "win32" ? path.win32 : path.posix;
}

/** File names to try for `base` in one directory: Windows needs an extension from PATHEXT. */
function candidateNames(base: string, platform: NodeJS.Platform, pathExt: string | undefined): string[] {
  if (platform !== "win32") return [base];
  const exts = (pathExt ?? ".COM;.EXE;.BAT;.CMD")
    .split(";")
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e !== "");
  return exts.map((e) => base + e);
}

/** Expands `~`, `${workspaceFolder}` and `${userHome}`; resolves a relative path against the workspace. */
export function expandConfiguredPath(
  raw: string,
  platform: NodeJS.Platform,
  workspaceFolder: string | undefined,
  homeDir: string,
  setting = "codeqa.server.path",
): string {
  const p = pathLib(platform);
  let value = raw.trim().replace(/\$\{userHome\}/g, homeDir);
  if (value.includes("${workspaceFolder}")) {
    if (workspaceFolder === undefined) {
      throw new Error(`CodeQA: ${setting} uses \${workspaceFolder} but no folder is open: ${raw}`);
    }
    value = value.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (value === "~") value = homeDir;
  else if (value.startsWith("~/") || value.startsWith("~\\")) value = p.join(homeDir, value.slice(2));
  if (!p.isAbsolute(value) && workspaceFolder !== undefined) value = p.join(workspaceFolder, value);
  return p.normalize(value);
}

/** The interpreter of a `.venv` in the workspace folder. */
export function workspaceVenvPython(workspaceFolder: string, platform: NodeJS.Platform): string {
  const p = pathLib(platform);
  return platform === "win32"
    ? p.join(workspaceFolder, ".venv", "Scripts", "python.exe")
    : p.join(workspaceFolder, ".venv", "bin", "python");
}

/** The command that installs the server for `interpreter` (quoted when it holds spaces). */
export function installCommand(interpreter: string | undefined): string {
  const python = interpreter === undefined ? "python" : /\s/.test(interpreter) ? `"${interpreter}"` : interpreter;
  return `${python} -m pip install ${INSTALL_TARGET}`;
}

/**
 * Arguments that run the server module. `-P` (Python 3.11+, which the server requires) keeps the
 * working directory off `sys.path`, so a folder in the workspace cannot stand in for the server.
 */
export const MODULE_ARGS: readonly string[] = ["-P", "-m", MODULE_NAME];

function viaInterpreter(command: readonly string[], source: ServerSource): Resolution {
  return { ok: true, command: command[0], args: [...command.slice(1), ...MODULE_ARGS], source };
}

/** Applies the resolution order; on failure, one message that fits the fault. */
export function resolveServer(inputs: ResolveInputs): Resolution {
  const p = pathLib(inputs.platform);
  const tried: string[] = [];

  const configured = inputs.configuredPath?.trim() ?? "";
  if (configured !== "") {
    let file: string;
    try {
      file = expandConfiguredPath(configured, inputs.platform, inputs.workspaceFolder, inputs.homeDir);
    } catch (err) {
      return { ok: false, message: (err as Error).message, tried, fault: "server.path" };
    }
    if (inputs.isExecutable(file)) return { ok: true, command: file, args: [], source: "server.path" };
    return {
      ok: false,
      message:
        `CodeQA: codeqa.server.path is set to "${configured}", but ${file} is not an executable file. ` +
        `Fix the setting, or clear it to use the selected Python interpreter.`,
      tried: [file],
      fault: "server.path",
    };
  }

  const interp = (inputs.configuredInterpreter ?? []).filter((part) => part.trim() !== "");
  if (interp.length > 0) {
    let exe: string;
    try {
      exe = expandConfiguredPath(interp[0], inputs.platform, inputs.workspaceFolder, inputs.homeDir, "codeqa.interpreter");
    } catch (err) {
      return { ok: false, message: (err as Error).message, tried, fault: "interpreter" };
    }
    const command = [exe, ...interp.slice(1)];
    if (!inputs.isExecutable(exe)) {
      return {
        ok: false,
        message:
          `CodeQA: codeqa.interpreter is set to "${interp[0]}", but ${exe} is not an executable file. ` +
          `Fix the setting, or clear it to use the interpreter selected in the Python extension.`,
        tried: [exe],
        fault: "interpreter",
      };
    }
    if (inputs.hasServerModule(command)) return viaInterpreter(command, "interpreter setting");
    return {
      ok: false,
      message:
        `CodeQA: the server is not installed for ${exe} (codeqa.interpreter). ` +
        `Install it with \`${installCommand(exe)}\`; CodeQA starts once it is there.`,
      tried: [`${exe} -m ${MODULE_NAME}`],
      fault: "not installed",
    };
  }

  const candidates: [string, ServerSource][] = [];
  if (inputs.interpreterPath) candidates.push([inputs.interpreterPath, "selected interpreter"]);
  if (inputs.workspaceFolder !== undefined) {
    candidates.push([workspaceVenvPython(inputs.workspaceFolder, inputs.platform), "workspace .venv"]);
  }
  const inWorkspace = (file: string): boolean => {
    if (inputs.workspaceFolder === undefined) return false;
    const rel = p.relative(inputs.workspaceFolder, file);
    return rel !== "" && !rel.startsWith("..") && !p.isAbsolute(rel);
  };
  for (const [python, source] of candidates) {
    if (!inputs.isExecutable(python)) continue;
    if (!inputs.trusted && inWorkspace(python)) {
      tried.push(`${python} (skipped: Restricted Mode)`);
      continue;
    }
    tried.push(`${python} -m ${MODULE_NAME}`);
    if (inputs.hasServerModule([python])) return viaInterpreter([python], source);
  }

  const delimiter = inputs.platform === "win32" ? ";" : ":";
  for (const dir of (inputs.pathEnv ?? "").split(delimiter)) {
    if (dir.trim() === "") continue;
    for (const name of candidateNames(EXECUTABLE_NAME, inputs.platform, inputs.pathExt)) {
      const file = p.join(dir, name);
      tried.push(file);
      if (inputs.isExecutable(file)) return { ok: true, command: file, args: [], source: "PATH" };
    }
  }

  return { ok: false, message: notFoundMessage(inputs.interpreterPath), tried, fault: "not installed" };
}

/** The fix when the server is nowhere: install it into the selected interpreter. */
export function notFoundMessage(interpreterPath: string | undefined): string {
  const where = interpreterPath
    ? `for the selected Python interpreter (${interpreterPath}), in the workspace's .venv or on PATH`
    : `in the workspace's .venv or on PATH (no Python interpreter is selected)`;
  return (
    `CodeQA: the ${EXECUTABLE_NAME} server is not installed ${where}. ` +
    `Install it with \`${installCommand(interpreterPath)}\`; CodeQA starts once it is there.`
  );
}
