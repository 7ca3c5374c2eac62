/**
 * The Python interpreter selected in the Python extension (ms-python.python), if it is installed.
 * Its API is read through a minimal local type, so the extension does not depend on it.
 */
import * as vscode from "vscode";

interface EnvironmentPath {
  path: string;
}

interface PythonEnvironmentsApi {
  getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath;
  resolveEnvironment(
    env: EnvironmentPath | string,
  ): Promise<{ executable: { uri?: vscode.Uri } } | undefined>;
  onDidChangeActiveEnvironmentPath: vscode.Event<unknown>;
}

interface PythonExtensionApi {
  environments?: PythonEnvironmentsApi;
}

async function pythonApi(): Promise<PythonExtensionApi | undefined> {
  const ext = vscode.extensions.getExtension<PythonExtensionApi>("ms-python.python");
  if (!ext) return undefined;
  try {
    return ext.isActive ? ext.exports : await ext.activate();
  } catch {
    return undefined;
  }
}

/** The selected interpreter's executable, else `python.defaultInterpreterPath`, else undefined. */
export async function selectedInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const envs = (await pythonApi())?.environments;
  if (envs) {
    try {
      const envPath = envs.getActiveEnvironmentPath(resource);
      const resolved = await envs.resolveEnvironment(envPath);
      const exe = resolved?.executable.uri?.fsPath ?? envPath.path;
      if (exe) return exe;
    } catch {
      // Fall through to the setting: a broken Python extension must not stop the server.
    }
  }
  const configured = vscode.workspace
    .getConfiguration("python", resource)
    .get<string>("defaultInterpreterPath");
  // "python" is the Python extension's placeholder default, meaning "whatever is on PATH".
  return configured && configured !== "python" ? configured : undefined;
}

/** Subscribes to interpreter changes, when the Python extension offers them. */
export async function onInterpreterChange(listener: () => void): Promise<vscode.Disposable | undefined> {
  const envs = (await pythonApi())?.environments;
  return envs?.onDidChangeActiveEnvironmentPath(() => listener());
}
