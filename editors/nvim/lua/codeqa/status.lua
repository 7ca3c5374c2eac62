--- The model state the server reports with `codeqa/modelStatus`
--- ({ state = "loading"|"ready"|"error"|"idle", message = string }), kept per client for
--- statuslines and the user. A model error is not notified here: the server reports it once
--- itself (window/showMessage, shown as "LSP[codeqa] ..."), and twice would be noise.
local M = {}

M.notification = "codeqa/modelStatus"

---@type table<integer, { state: string, message: string }>
local by_client = {}

--- Record one notification; fires `User CodeQAModelStatus` with the status as data.
---@param client_id integer
---@param params any
function M.update(client_id, params)
  if type(params) ~= "table" or type(params.state) ~= "string" then
    return
  end
  local status = { state = params.state, message = type(params.message) == "string" and params.message or "" }
  by_client[client_id] = status
  vim.api.nvim_exec_autocmds("User", {
    pattern = "CodeQAModelStatus",
    modeline = false,
    data = { client_id = client_id, state = status.state, message = status.message },
  })
end

--- LSP handlers for the client config.
---@return table<string, function>
function M.handlers()
  return {
    [M.notification] = function(_, result, ctx)
      M.update(ctx.client_id, result)
    end,
  }
end

--- The last status of a client, or nil before the first notification.
---@param client_id integer
---@return { state: string, message: string }|nil
function M.get(client_id)
  return by_client[client_id]
end

--- Forget a client (on detach / exit).
---@param client_id integer
function M.clear(client_id)
  by_client[client_id] = nil
end

--- Short text for a statusline: "codeqa: ready", or "" when no codeqa client serves `bufnr`.
---@param bufnr? integer
---@return string
function M.statusline(bufnr)
  local clients = vim.lsp.get_clients({ bufnr = bufnr or 0, name = "codeqa" })
  if #clients == 0 then
    return ""
  end
  local status = by_client[clients[1].id]
  return "codeqa: " .. (status and status.state or "starting")
end

return M
