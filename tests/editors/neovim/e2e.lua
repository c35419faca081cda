-- Drives backlog-ls from a real headless Neovim (0.7.2 on Debian 12) the way a user would:
-- open a backlog, let diagnostics arrive, hover, pick a code action, run the toggle command,
-- complete after '#' with 0.7's omnifunc (typed in insert mode) and as completion plugins do (the
-- item's text edits applied). It records what Neovim itself holds (its diagnostics, its buffer text,
-- its completion menu) in a JSON file that tests/editors/test_neovim.py asserts on.
--
-- Run as: nvim --headless --clean -u e2e.lua, with these environment variables:
--   BACKLOG_LS_CONFIG  the shipped lsp/backlog_ls.lua (its cmd, filetypes, root markers)
--   BACKLOG_FILE       the backlog to open; `backlog-ls` on PATH is the server
--   BACKLOG_LS_LINES   JSON: needles naming the lines to act on (issue, tick, toggle)
--   RESULT_FILE        where the JSON result goes

local common = dofile(debug.getinfo(1, "S").source:sub(2):match("(.*/)") .. "common.lua")
local WAIT_MS = common.WAIT_MS
local result, step, finish, LINES = common.result, common.step, common.finish, common.LINES
local bufnr, client

local function wait_for(what, predicate)
  common.wait_for(what, predicate, function()
    return client ~= nil and client.is_stopped()
  end)
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
  local start = common.line_text(bufnr, lnum):find(needle, 1, true)
  if not start then
    error(("line %d has no %q: %q"):format(lnum, needle, common.line_text(bufnr, lnum)), 0)
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
  local cmd = config.cmd -- as shipped: `backlog-ls` on PATH is this checkout's server
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

local function check_hover()
  local lnum = common.line_holding(bufnr, LINES.issue)
  local position = position_of(lnum, "#13")
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
  local lnum = common.line_holding(bufnr, LINES.tick)
  local actions = request("textDocument/codeAction", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    range = { start = { line = lnum, character = 2 }, ["end"] = { line = lnum, character = 2 } },
    context = { diagnostics = vim.lsp.diagnostic.get_line_diagnostics(bufnr, lnum) },
  }) or {}
  local titles, chosen = {}, nil
  for _, action in ipairs(actions) do
    table.insert(titles, action.title)
    if action.title == "Tick task" then
      chosen = action
    end
  end
  result.code_action = { lnum = lnum, titles = titles, line_before = common.line_text(bufnr, lnum) }
  if not chosen then
    error("no 'Tick task' among the code actions on line " .. lnum, 0)
  end
  apply_action(chosen)
  result.code_action.line_after = common.line_text(bufnr, lnum)
  step("code action")
  common.check_diagnostics_after_tick(bufnr, lnum, wait_for)
end

local function check_toggle_command()
  local lnum = common.line_holding(bufnr, LINES.toggle)
  local before = common.line_text(bufnr, lnum)
  result.toggle_command = { lnum = lnum, line_before = before }
  -- The server answers by sending workspace/applyEdit, which Neovim's default handler applies.
  request("workspace/executeCommand", {
    command = "backlog-ls.toggleTask",
    arguments = { vim.uri_from_bufnr(bufnr), { line = lnum, character = 0 } },
  })
  result.toggle_command.line_after = common.changed_line(bufnr, lnum, before, wait_for)
  step("toggle command")
end

-- Completion plugins (nvim-cmp with cmp-nvim-lsp, blink.cmp) accept an item by applying its text
-- edit and its additional text edits; this does the same on a new last line.
local function check_plugin_completion()
  local lnum = vim.api.nvim_buf_line_count(bufnr)
  local typed = "- [ ] **Task 4.3 (#"
  vim.api.nvim_buf_set_lines(bufnr, lnum, lnum, true, { typed })
  local completion = request("textDocument/completion", {
    textDocument = { uri = vim.uri_from_bufnr(bufnr) },
    position = { line = lnum, character = #typed },
    context = { triggerKind = 2, triggerCharacter = "#" },
  }) or {}
  local record = { line = typed }
  for _, item in ipairs(vim.lsp.util.extract_completion_items(completion)) do
    if item.label == "#40" and item.textEdit then
      local edits = { item.textEdit }
      vim.list_extend(edits, item.additionalTextEdits or {})
      vim.lsp.util.apply_text_edits(edits, bufnr, client.offset_encoding)
      record.line_after_accepting_40 = common.line_text(bufnr, lnum)
    end
  end
  result.completions.plugin = record
  step("completion: plugin")
end


-- 0.7's own completion: the omnifunc, typed in insert mode (<C-x><C-o>), as editors/neovim/README.md sets it.
local function check_omnifunc_completion(done)
  vim.bo[bufnr].omnifunc = "v:lua.vim.lsp.omnifunc"
  local after = "):** Done."
  common.complete(bufnr, "bare hash", { start = "- [ ] **Task 4.4 (", typed = "#", open = "<C-x><C-o>", label = "#40", after = after }, function()
    common.complete(bufnr, "after Issue", { start = "- [ ] **Task 4.5 (Issue", typed = " #", open = "<C-x><C-o>", label = "#40", after = after }, done)
  end)
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
  result.client.version = tostring(vim.version().major .. "." .. vim.version().minor .. "." .. vim.version().patch)
  step("initialized")

  common.check_diagnostics(bufnr, wait_for)
  check_hover()
  check_tick_action()
  check_toggle_command()
  check_plugin_completion()
  check_omnifunc_completion(finish) -- ends the session when its last step is done
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true, -- so that opening the backlog fires FileType
  callback = common.guarded(main),
})
