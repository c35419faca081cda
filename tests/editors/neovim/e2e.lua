-- Drives backlog-ls from a real headless Neovim (0.7.2 on Debian 12) the way a user would:
-- open a backlog, let diagnostics arrive, hover, pick a code action, run the toggle command,
-- complete after '#'. It records what Neovim itself holds (its diagnostics, its buffer text,
-- its completion items) in a JSON file that tests/editors/test_neovim.py asserts on.
--
-- Run as: nvim --headless --clean -u e2e.lua, with these environment variables:
--   BACKLOG_LS_CONFIG  the shipped editors/neovim/lsp/backlog_ls.lua (its cmd, filetypes, root markers)
--   BACKLOG_LS_SERVER  JSON list: the executable (and its leading arguments) that replaces cmd[1]
--   BACKLOG_FILE       the backlog to open
--   RESULT_FILE        where the JSON result goes

local WAIT_MS = 20000 -- generous: two cores are shared with other jobs; a hang still ends
local TICK_LINE = 91 -- 0-based: "- [ ] **Task 14.8 (#TBD):** ..."
local TOGGLE_LINE = 92 -- 0-based: "- [ ] **Task 14.9 (#TBD):** ..."
local ISSUE_LINE = 30 -- 0-based: "- [x] **Task 4.1 (Issue #13):** ..."

local result = { steps = {} }
local bufnr, client

local function step(name)
  table.insert(result.steps, name)
end

local function wait_for(what, predicate)
  local ok = vim.wait(WAIT_MS, function()
    return predicate() or (client ~= nil and client.is_stopped())
  end, 50)
  if client and client.is_stopped() then
    error("the server exited while waiting for " .. what .. " (its stderr is in the LSP log)", 0)
  end
  if not ok then
    error("timed out after " .. WAIT_MS .. " ms waiting for " .. what, 0)
  end
end

local function line_text(lnum)
  return vim.api.nvim_buf_get_lines(bufnr, lnum, lnum + 1, true)[1]
end

-- Neovim's own diagnostics for the buffer, in the form vim.diagnostic stores them.
local function diagnostics_on(lnum)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr, { lnum = lnum })) do
    table.insert(found, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = vim.diagnostic.severity[d.severity],
      code = d.code,
      message = d.message,
      source = d.source,
    })
  end
  return found
end

local function has_diagnostic(lnum, code, severity)
  for _, d in ipairs(diagnostics_on(lnum)) do
    if d.code == code and (severity == nil or d.severity == severity) then
      return true
    end
  end
  return false
end

-- One request to our client, answered synchronously; errors name the method.
local function request(method, params)
  local response, err = client.request_sync(method, params, WAIT_MS, bufnr)
  if not response then
    error(method .. " got no answer: " .. tostring(err), 0)
  end
  if response.err then
    error(method .. " failed: " .. vim.inspect(response.err), 0)
  end
  return response.result
end

local function position_of(lnum, needle)
  local start = line_text(lnum):find(needle, 1, true)
  if not start then
    error(("line %d has no %q: %q"):format(lnum, needle, line_text(lnum)), 0)
  end
  -- The backlog's lines before the needle are ASCII, so byte and UTF-16 columns agree.
  return { line = lnum, character = start }
end

-- The root the way vim.lsp.config's root_markers finds it: the nearest folder upwards holding one.
local function find_root(path, markers)
  local dir = vim.fn.fnamemodify(path, ":p:h")
  while true do
    for _, marker in ipairs(markers) do
      if vim.loop.fs_stat(dir .. "/" .. marker) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ":h")
    if parent == dir then
      return nil
    end
    dir = parent
  end
end

local function start_client(config)
  local cmd = vim.fn.json_decode(os.getenv("BACKLOG_LS_SERVER"))
  for i = 2, #config.cmd do
    table.insert(cmd, config.cmd[i]) -- keep the shipped arguments ("serve")
  end
  local root = find_root(vim.api.nvim_buf_get_name(bufnr), config.root_markers)
  local id = vim.lsp.start_client({
    name = "backlog_ls",
    cmd = cmd,
    root_dir = root,
    workspace_folders = root and { { uri = vim.uri_from_fname(root), name = root } } or nil,
    settings = config.settings,
  })
  if not id then
    error("vim.lsp.start_client refused " .. vim.inspect(cmd), 0)
  end
  vim.lsp.buf_attach_client(bufnr, id)
  result.client = { cmd = cmd, root_dir = root, filetype = vim.bo[bufnr].filetype }
  return vim.lsp.get_client_by_id(id)
end

local function check_diagnostics()
  wait_for("the tracker's BL305 on line " .. ISSUE_LINE, function()
    return has_diagnostic(ISSUE_LINE, "BL305")
  end)
  result.issue_line_diagnostics = diagnostics_on(ISSUE_LINE)
  result.tick_line_diagnostics = diagnostics_on(TICK_LINE)
  result.diagnostic_count = #vim.diagnostic.get(bufnr)
  step("diagnostics")
end

local function check_hover()
  local position = position_of(ISSUE_LINE, "#13")
  local hover = request("textDocument/hover", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = position,
  })
  -- The lines Neovim's hover window would show.
  local lines = hover and vim.lsp.util.convert_input_to_markdown_lines(hover.contents) or {}
  result.hover = { position = position, text = table.concat(lines, "\n") }
  step("hover")
end

-- What vim.lsp.buf.code_action does with the action the user picks (runtime/lua/vim/lsp/buf.lua).
local function apply_action(action)
  local provider = client.server_capabilities.codeActionProvider
  if not action.edit and not action.command and type(provider) == "table" and provider.resolveProvider then
    action = request("codeAction/resolve", action)
  end
  if action.edit then
    vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
  end
  if action.command then
    local command = type(action.command) == "table" and action.command or action
    request("workspace/executeCommand", { command = command.command, arguments = command.arguments })
  end
end

local function check_tick_action()
  local actions = request("textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = TICK_LINE, character = 2 }, ["end"] = { line = TICK_LINE, character = 2 } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, TICK_LINE) },
  }) or {}
  local titles, chosen = {}, nil
  for _, action in ipairs(actions) do
    table.insert(titles, action.title)
    if action.title == "Tick task" then
      chosen = action
    end
  end
  result.code_action = { titles = titles, line_before = line_text(TICK_LINE) }
  if not chosen then
    error("no 'Tick task' among the code actions on line " .. TICK_LINE, 0)
  end
  apply_action(chosen)
  result.code_action.line_after = line_text(TICK_LINE)
  step("code action")

  -- The edit reaches the server as didChange; a ticked task's #TBD turns into a warning.
  wait_for("BL102 as a warning on the ticked line", function()
    return has_diagnostic(TICK_LINE, "BL102", "WARN")
  end)
  result.tick_line_diagnostics_after = diagnostics_on(TICK_LINE)
  step("diagnostics after tick")
end

local function check_toggle_command()
  local before = line_text(TOGGLE_LINE)
  result.toggle_command = { line_before = before }
  -- The server answers by sending workspace/applyEdit, which Neovim's default handler applies.
  request("workspace/executeCommand", {
    command = "backlog-ls.toggleTask",
    arguments = { vim.uri_from_bufnr(bufnr), { line = TOGGLE_LINE, character = 0 } },
  })
  wait_for("the toggle's edit in the buffer", function()
    return line_text(TOGGLE_LINE) ~= before
  end)
  result.toggle_command.line_after = line_text(TOGGLE_LINE)
  step("toggle command")
end

local function check_completion()
  -- Type a new task line below the toggled one, ending with the '#' that triggers completion.
  local lnum = TOGGLE_LINE + 1
  local typed = "- [ ] **Task 14.10 (#"
  vim.api.nvim_buf_set_lines(bufnr, lnum, lnum, true, { typed })
  local completion = request("textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = lnum, character = #typed },
    context = { triggerKind = 2, triggerCharacter = "#" },
  }) or {}
  -- The entries of Neovim's completion menu: abbr is the label, menu the detail, info the docs.
  local items = {}
  for _, item in ipairs(vim.lsp.util.text_document_completion_list_to_complete_items(completion, "")) do
    table.insert(items, { abbr = item.abbr, menu = item.menu, info = item.info })
  end
  result.completion = { line = typed, items = items }

  -- Accept #40 the way completion plugins (nvim-cmp, blink.cmp) do: apply the item's textEdit,
  -- which replaces the typed '#'. (Neovim's built-in completion falls short: see the README.)
  for _, item in ipairs(vim.lsp.util.extract_completion_items(completion)) do
    if item.label == "#40" and item.textEdit then
      vim.lsp.util.apply_text_edits({ item.textEdit }, bufnr, client.offset_encoding)
      result.completion.line_after_accepting_40 = line_text(lnum)
    end
  end
  step("completion")
end

local function write_result()
  local file = assert(io.open(os.getenv("RESULT_FILE"), "w"))
  file:write(vim.fn.json_encode(result))
  file:close()
end

local function main()
  vim.lsp.set_log_level("debug")
  result.log_path = vim.lsp.get_log_path()
  local config = dofile(os.getenv("BACKLOG_LS_CONFIG"))
  result.config = { cmd = config.cmd, filetypes = config.filetypes, root_markers = config.root_markers }

  -- Start the server the way the README tells 0.7 users to: on the config's filetypes.
  vim.api.nvim_create_autocmd("FileType", {
    pattern = config.filetypes,
    once = true,
    callback = function(args)
      bufnr = args.buf
      client = start_client(config)
    end,
  })
  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("BACKLOG_FILE")))
  if not client then
    error("the FileType autocmd never started the client (filetype: " .. vim.bo.filetype .. ")", 0)
  end
  wait_for("the server to initialize", function()
    return client.initialized
  end)
  result.client.offset_encoding = client.offset_encoding
  step("initialized")

  check_diagnostics()
  check_hover()
  check_tick_action()
  check_toggle_command()
  check_completion()
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true, -- so that opening the backlog fires FileType
  callback = function()
    local ok, err = xpcall(main, debug.traceback)
    if not ok then
      result.error = tostring(err)
    end
    write_result()
    vim.cmd(ok and "qall!" or "cquit 1")
  end,
})
