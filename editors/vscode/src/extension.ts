/**
 * VS Code wiring: resolves the server, starts it with vscode-languageclient for Python files,
 * keeps the settings, the status-bar item and the restart command in step. Decisions live in
 * settings.ts, resolve.ts and status.ts; this file only connects them to VS Code.
 */
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
import { resolveServerExecutable } from "./resolve";
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

function isExecutable(file: string): boolean {
  try {
    if (!fs.statSync(file).isFile()) return false;
    if (process.platform !== "win32") fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
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

async function startClient(): Promise<void> {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const interpreter = await selectedInterpreter(vscode.workspace.workspaceFolders?.[0]?.uri);
  const resolution = resolveServerExecutable({
    configuredPath: vscode.workspace.getConfiguration(SERVER_SECTION).get<string>("server.path"),
    interpreterPath: interpreter,
    pathEnv: process.env.PATH,
    pathExt: process.env.PATHEXT,
    platform: process.platform,
    workspaceFolder: folder,
    homeDir: os.homedir(),
    isExecutable,
  });
  if (!resolution.ok) {
    log.error(resolution.message);
    for (const file of resolution.tried) log.info(`  tried ${file}`);
    showStatus({ state: "error", message: resolution.message });
    void vscode.window
      .showErrorMessage(resolution.message, "Open Settings", "Show Log")
      .then((choice) => {
        if (choice === "Open Settings") {
          void vscode.commands.executeCommand("workbench.action.openSettings", "codeqa.server.path");
        } else if (choice === "Show Log") {
          log.show();
        }
      });
    return;
  }
  log.info(`Starting ${resolution.command} (found via ${resolution.source})`);

  const { settings, problems } = currentSettings();
  for (const problem of problems) log.warn(problem);

  // TransportKind.stdio makes the client append `--stdio` to the command line.
  const serverOptions: ServerOptions = { command: resolution.command, transport: TransportKind.stdio };
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
  const running = client;
  client = undefined;
  if (running) await running.stop();
}

async function restart(): Promise<void> {
  log.info("Restarting the server");
  await stopClient();
  await startClient();
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel("CodeQA", { log: true });
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
  );
  const interpreterWatch = await onInterpreterChange(() => {
    // Only the interpreter-based lookup depends on it; an explicit server.path does not.
    if (!vscode.workspace.getConfiguration(SERVER_SECTION).get<string>("server.path")) void restart();
  });
  if (interpreterWatch) context.subscriptions.push(interpreterWatch);
  await startClient();
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
