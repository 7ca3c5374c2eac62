/**
 * VS Code wiring: resolves the server (`<interpreter> -m codeqa_lsp`, see resolve.ts), starts it
 * with vscode-languageclient for Python files, keeps the settings, the status-bar item and the
 * restart command in step, and retries while the server is not installed yet. Decisions live in
 * settings.ts, resolve.ts and status.ts; this file only connects them to VS Code.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as vscode from "vscode";
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from "vscode-languageclient/node";

import { onInterpreterChange, selectedInterpreter } from "./python";
import { type Fault, type Found, Launcher } from "./launch";
import { MODULE_NAME, type Resolution, resolveServer } from "./resolve";
import {
  readServerSettings,
  RESTART_KEYS,
  SERVER_SECTION,
  toConfigurationSection,
  toInitializationOptions,
} from "./settings";
import { MODEL_STATUS_NOTIFICATION, type ModelStatus, parseModelStatus, presentStatus } from "./status";

let client: LanguageClient | undefined;
let log: vscode.LogOutputChannel;
let statusItem: vscode.StatusBarItem;
let launcher: Launcher;

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== "win32") fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Whether `interpreter` (with its arguments) can import the server package. */
function hasServerModule(interpreter: readonly string[]): boolean {
  const probe = `import importlib.util, sys; sys.exit(0 if importlib.util.find_spec("${MODULE_NAME}") else 1)`;
  const done = spawnSync(interpreter[0], [...interpreter.slice(1), "-P", "-c", probe], {
    timeout: 15_000,
    cwd: os.homedir(),
    stdio: "ignore",
  });
  return done.status === 0;
}

function showStatus(status: ModelStatus): void {
  const view = presentStatus(status);
  statusItem.text = view.text;
  statusItem.tooltip = view.tooltip;
  statusItem.backgroundColor =
    view.severity === "normal" ? undefined : new vscode.ThemeColor(`statusBarItem.${view.severity}Background`);
  statusItem.show();
}

function currentSettings(): ReturnType<typeof readServerSettings> {
  const config = vscode.workspace.getConfiguration(SERVER_SECTION);
  return readServerSettings((key) => config.get(key));
}

async function resolveNow(): Promise<Resolution> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const config = vscode.workspace.getConfiguration(SERVER_SECTION, folder?.uri);
  return resolveServer({
    configuredPath: config.get<string>("server.path"),
    configuredInterpreter: config.get<string[]>("interpreter"),
    interpreterPath: await selectedInterpreter(folder?.uri),
    pathEnv: process.env.PATH,
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    workspaceFolder: folder?.uri.fsPath,
    homeDir: os.homedir(),
    trusted: vscode.workspace.isTrusted,
    isExecutable,
    hasServerModule,
  });
}

/** Tells the user once about a fault (the Launcher calls it once per distinct message). */
function reportFailure(fault: Fault): void {
  log.error(fault.message);
  for (const file of fault.tried) log.info(`  tried ${file}`);
  const setting = fault.fault === "interpreter" ? "codeqa.interpreter" : "codeqa.server.path";
  void vscode.window.showErrorMessage(fault.message, "Open Settings", "Show Log").then((choice) => {
    if (choice === "Open Settings") {
      void vscode.commands.executeCommand("workbench.action.openSettings", setting);
    } else if (choice === "Show Log") {
      log.show();
    }
  });
}

function createLauncher(): Launcher {
  return new Launcher({
    resolve: resolveNow,
    start: startClient,
    report: reportFailure,
    failed: (fault) => showStatus({ state: "error", message: fault.message }),
    log: (message) => log.info(message),
    every: (ms, fn) => {
      const timer = setInterval(fn, ms);
      return { dispose: () => clearInterval(timer) };
    },
    watch: (fn) => {
      const watcher = vscode.workspace.createFileSystemWatcher(`**/${MODULE_NAME}/__main__.py`, false, true, true);
      watcher.onDidCreate(fn);
      return watcher;
    },
  });
}

async function startClient(resolution: Found): Promise<void> {
  log.info(`Starting ${[resolution.command, ...resolution.args].join(" ")} (found via ${resolution.source})`);

  const { settings, problems } = currentSettings();
  for (const problem of problems) log.warn(problem);

  // TransportKind.stdio makes the client append `--stdio` to the command line.
  const serverOptions: ServerOptions = {
    command: resolution.command,
    args: resolution.args,
    transport: TransportKind.stdio,
    options: { cwd: os.homedir() },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "python" },
      { scheme: "untitled", language: "python" },
    ],
    initializationOptions: toInitializationOptions(settings),
    synchronize: { configurationSection: SERVER_SECTION },
    outputChannel: log,
    middleware: {
      workspace: {
        // Answer `codeqa` with the validated server section (never the client-only server.path).
        configuration: async (params, token, next) => {
          const answers = await next(params, token);
          if (!Array.isArray(answers)) return answers;
          return params.items.map((item, i): unknown =>
            item.section === SERVER_SECTION ? toConfigurationSection(currentSettings().settings) : answers[i],
          );
        },
      },
    },
  };

  client = new LanguageClient("codeqa", "CodeQA", serverOptions, clientOptions);
  client.onDidChangeState((event) => {
    if (event.newState === State.Starting) showStatus({ state: "starting", message: "" });
    if (event.newState === State.Stopped) showStatus({ state: "stopped", message: "" });
  });
  // Registered before start(): the server reports "loading" right after `initialized`.
  client.onNotification(MODEL_STATUS_NOTIFICATION, (params: unknown) => {
    const status = parseModelStatus(params);
    if (status) showStatus(status);
    else log.warn(`Ignoring malformed ${MODEL_STATUS_NOTIFICATION}: ${JSON.stringify(params)}`);
  });
  showStatus({ state: "starting", message: "" });
  try {
    await client.start();
  } catch (err) {
    const message = `CodeQA: the server failed to start: ${(err as Error).message}`;
    log.error(message);
    showStatus({ state: "error", message });
    void vscode.window.showErrorMessage(message);
    return;
  }
}

async function stopClient(): Promise<void> {
  launcher.stop();
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

async function restart(): Promise<void> {
  log.info("Restarting the server");
  await stopClient();
  await launcher.launch();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel("CodeQA", { log: true });
  launcher = createLauncher();
  statusItem = vscode.window.createStatusBarItem("codeqa.status", vscode.StatusBarAlignment.Right, 100);
  statusItem.name = "CodeQA model";
  statusItem.command = "codeqa.showOutput";
  context.subscriptions.push(
    log,
    statusItem,
    vscode.commands.registerCommand("codeqa.restartServer", restart),
    vscode.commands.registerCommand("codeqa.showOutput", () => log.show()),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (RESTART_KEYS.some((key) => event.affectsConfiguration(key))) void restart();
    }),
    // Trust lets the workspace's interpreter and settings count: look again.
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart()),
    { dispose: () => launcher.stop() },
  );
  const interpreterWatch = await onInterpreterChange(() => {
    // Only the interpreter-based lookup depends on it; explicit settings do not.
    const config = vscode.workspace.getConfiguration(SERVER_SECTION);
    if (!config.get<string>("server.path") && !(config.get<string[]>("interpreter") ?? []).length) void restart();
  });
  if (interpreterWatch) context.subscriptions.push(interpreterWatch);
  await launcher.launch();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
