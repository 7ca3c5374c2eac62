/**
 * Finds the `codeqa-lsp` executable: the `codeqa.server.path` setting, else the selected Python
 * interpreter's environment, else `PATH`. Pure apart from the injected `isExecutable`, so the
 * order and the error text are unit-tested without VS Code.
 */
import * as path from "node:path";

export type ExecutableSource = "setting" | "interpreter" | "path";

export interface ResolveInputs {
  /** Value of `codeqa.server.path` (may be empty, relative, start with `~` or `${workspaceFolder}`). */
  configuredPath: string | undefined;
  /** Path of the Python interpreter selected in the Python extension, if any. */
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
}

export type Resolution =
  | { ok: true; command: string; source: ExecutableSource }
  | { ok: false; message: string; tried: string[] };

export const EXECUTABLE_NAME = "codeqa-lsp";

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
): string {
  const p = pathLib(platform);
  let value = raw.trim().replace(/\$\{userHome\}/g, homeDir);
  if (value.includes("${workspaceFolder}")) {
    if (workspaceFolder === undefined) {
      throw new Error(`codeqa.server.path uses \${workspaceFolder} but no folder is open: ${raw}`);
    }
    value = value.replace(/\$\{workspaceFolder\}/g, workspaceFolder);
  }
  if (value === "~") value = homeDir;
  else if (value.startsWith("~/") || value.startsWith("~\\")) value = p.join(homeDir, value.slice(2));
  if (!p.isAbsolute(value) && workspaceFolder !== undefined) value = p.join(workspaceFolder, value);
  return p.normalize(value);
}

/** Directories of an interpreter's environment that hold its console scripts. */
export function interpreterScriptDirs(interpreter: string, platform: NodeJS.Platform): string[] {
  const p = pathLib(platform);
  const dir = p.dirname(interpreter);
  // venv/virtualenv: scripts sit beside python. Windows conda/system Python: python.exe at the
  // root, scripts in Scripts\.
  return platform === "win32" ? [dir, p.join(dir, "Scripts")] : [dir];
}

/** Applies the resolution order and says what was tried when nothing fits. */
export function resolveServerExecutable(inputs: ResolveInputs): Resolution {
  const p = pathLib(inputs.platform);
  const names = candidateNames(EXECUTABLE_NAME, inputs.platform, inputs.pathExt);
  const tried: string[] = [];

  const configured = inputs.configuredPath?.trim() ?? "";
  if (configured !== "") {
    let file: string;
    try {
      file = expandConfiguredPath(configured, inputs.platform, inputs.workspaceFolder, inputs.homeDir);
    } catch (err) {
      return { ok: false, message: (err as Error).message, tried };
    }
    if (inputs.isExecutable(file)) return { ok: true, command: file, source: "setting" };
    // An explicit setting that does not work is an error: silently using another server would hide it.
    return {
      ok: false,
      message:
        `codeqa.server.path is set to "${configured}", but ${file} is not an executable file. ` +
        `Fix the setting, or clear it to use the selected Python environment or PATH.`,
      tried: [file],
    };
  }

  if (inputs.interpreterPath) {
    for (const dir of interpreterScriptDirs(inputs.interpreterPath, inputs.platform)) {
      for (const name of names) {
        const file = p.join(dir, name);
        tried.push(file);
        if (inputs.isExecutable(file)) return { ok: true, command: file, source: "interpreter" };
      }
    }
  }

  const delimiter = inputs.platform === "win32" ? ";" : ":";
  for (const dir of (inputs.pathEnv ?? "").split(delimiter)) {
    if (dir.trim() === "") continue;
    for (const name of names) {
      const file = p.join(dir, name);
      tried.push(file);
      if (inputs.isExecutable(file)) return { ok: true, command: file, source: "path" };
    }
  }

  return { ok: false, message: notFoundMessage(inputs.interpreterPath), tried };
}

/** The user-facing fix when no executable exists anywhere. */
export function notFoundMessage(interpreterPath: string | undefined): string {
  const install = interpreterPath
    ? `"${interpreterPath}" -m pip install codeqa-lsp`
    : "pip install codeqa-lsp";
  return (
    `CodeQA: could not find the ${EXECUTABLE_NAME} server` +
    (interpreterPath ? ` in the selected Python environment or on PATH` : ` on PATH`) +
    `. Install it with \`${install}\`, or set codeqa.server.path to the executable.`
  );
}
