-- Drives backlog-ls from a real headless Neovim 0.11 configured as a user of the plugin would be:
-- the repository (or editors/neovim) on the runtimepath, `filetype plugin on` and
-- vim.lsp.enable("backlog_ls"), nothing else. Then it does what a user does, through Neovim's own
-- functions: waits for the diagnostics, hovers (vim.lsp.buf.hover, the float's lines), ticks a task
-- with vim.lsp.buf.code_action, runs the toggle command as the README's key map does, and types '#'
-- in insert mode to complete with the built-in omnifunc and with vim.lsp.completion.
-- What Neovim holds after each step goes to a JSON file that tests/editors/test_neovim_011.py checks.
--
-- Typed keys are processed by the main loop, not inside vim.wait: the typing steps feed keys and
-- continue in vim.defer_fn callbacks (see ../shared/design/EDITORS-HERE.md).
--
-- Run as: nvim --headless --clean -u e2e_011.lua, with these environment variables:
--   BACKLOG_LS_RTP     the folder put on the runtimepath (holding lsp/backlog_ls.lua)
--   BACKLOG_LS_PACK    instead of BACKLOG_LS_RTP: a packpath folder, whose plugin "backlog-ls" is
--                      loaded with :packadd, as vim.pack (0.12+) does after cloning it
--   BACKLOG_LS_ONLY_ATTACH  "1": stop after the first diagnostics (a check of the layout alone)
--   BACKLOG_FILE       the backlog to open; `backlog-ls` on PATH is the server
--   BACKLOG_LS_LINES   JSON: needles naming the lines to act on (issue, tick, toggle)
--   RESULT_FILE        where the JSON result goes

local common = dofile(vim.fs.joinpath(vim.fs.dirname(debug.getinfo(1, "S").source:sub(2)), "common.lua"))
local result, step, finish, LINES = common.result, common.step, common.finish, common.LINES
local bufnr, client

local function wait_for(what, predicate)
  common.wait_for(what, predicate, function()
    return client ~= nil and client:is_stopped()
  end)
end

local function floating_windows()
  local found = {}
  for _, win in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(win).relative ~= "" then
      table.insert(found, win)
    end
  end
  return found
end

local function attach()
  vim.cmd("filetype plugin on")
  if os.getenv("BACKLOG_LS_PACK") then
    vim.opt.packpath:prepend(os.getenv("BACKLOG_LS_PACK"))
    vim.cmd("packadd backlog-ls")
  else
    vim.opt.runtimepath:append(os.getenv("BACKLOG_LS_RTP"))
  end
  vim.lsp.enable("backlog_ls")

  vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("BACKLOG_FILE")))
  bufnr = vim.api.nvim_get_current_buf()
  wait_for("the backlog_ls client to attach", function()
    client = vim.lsp.get_clients({ bufnr = bufnr, name = "backlog_ls" })[1]
    return client ~= nil and client.initialized
  end)
  local config = vim.lsp.config.backlog_ls
  result.config = { cmd = config.cmd, filetypes = config.filetypes, root_markers = config.root_markers }
  result.config_files = vim.api.nvim_get_runtime_file("lsp/backlog_ls.lua", true)
  result.client = {
    cmd = client.config.cmd,
    root_dir = client.root_dir,
    filetype = vim.bo[bufnr].filetype,
    offset_encoding = client.offset_encoding,
    version = tostring(vim.version()),
  }
  step("attached")
end

local function check_hover()
  local lnum = common.line_holding(bufnr, LINES.issue)
  local col = common.line_text(bufnr, lnum):find(LINES.issue, 1, true) + #LINES.issue - 2 -- on the "1" of "#13"
  vim.api.nvim_win_set_cursor(0, { lnum + 1, col })
  vim.lsp.buf.hover()
  wait_for("the hover window", function()
    return #floating_windows() > 0
  end)
  local float = floating_windows()[1]
  result.hover = {
    cursor = { lnum, col },
    lines = vim.api.nvim_buf_get_lines(vim.api.nvim_win_get_buf(float), 0, -1, false),
  }
  vim.api.nvim_win_close(float, true)
  step("hover")
end

-- The README's line: vim.lsp.inlay_hint.enable(true). What Neovim holds (the hints it got) and what
-- it draws (the virtual text of its inlay hint namespace) on the heading's line.
local function check_inlay_hints()
  local lnum = common.line_holding(bufnr, LINES.heading)
  vim.lsp.inlay_hint.enable(true, { bufnr = bufnr })
  local on_heading = { start = { line = lnum, character = 0 }, ["end"] = { line = lnum + 1, character = 0 } }
  wait_for("an inlay hint on the heading", function()
    return #vim.lsp.inlay_hint.get({ bufnr = bufnr, range = on_heading }) > 0
  end)
  local hints = {}
  for _, found in ipairs(vim.lsp.inlay_hint.get({ bufnr = bufnr, range = on_heading })) do
    local hint = found.inlay_hint
    local label = hint.label
    if type(label) == "table" then
      local parts = {}
      for _, part in ipairs(label) do
        table.insert(parts, part.value)
      end
      label = table.concat(parts)
    end
    table.insert(hints, { label = label, line = hint.position.line, character = hint.position.character, padding_left = hint.paddingLeft or false })
  end
  local drawn = {}
  local function read_drawn()
    drawn = {}
    for name, ns in pairs(vim.api.nvim_get_namespaces()) do
      if name:find("inlay") then
        for _, mark in ipairs(vim.api.nvim_buf_get_extmarks(bufnr, ns, { lnum, 0 }, { lnum, -1 }, { details = true })) do
          local text = {}
          for _, chunk in ipairs(mark[4].virt_text or {}) do
            table.insert(text, chunk[1])
          end
          table.insert(drawn, table.concat(text))
        end
      end
    end
    return #drawn > 0
  end
  -- Neovim draws the hints when it redraws the window that shows the line: put the cursor there.
  vim.api.nvim_win_set_cursor(0, { lnum + 1, 0 })
  vim.wait(common.WAIT_MS, function()
    vim.cmd("redraw!")
    return read_drawn()
  end, 50)
  -- The screen's row that shows the heading, as a user reads it.
  local row = vim.fn.screenpos(0, lnum + 1, 1).row
  local screen = {}
  for column = 1, vim.o.columns do
    table.insert(screen, vim.fn.screenstring(row, column))
  end
  result.inlay_hints = {
    screen_row = vim.trim(table.concat(screen)),
    lnum = lnum,
    line = common.line_text(bufnr, lnum),
    enabled = vim.lsp.inlay_hint.is_enabled({ bufnr = bufnr }),
    hints = hints,
    drawn = drawn,
  }
  step("inlay hints")
end

local function check_tick_action()
  local lnum = common.line_holding(bufnr, LINES.tick)
  local before = common.line_text(bufnr, lnum)
  result.code_action = { lnum = lnum, line_before = before }
  vim.api.nvim_win_set_cursor(0, { lnum + 1, 2 })
  -- The README's key map: apply "Tick task" (or "Untick task") without a menu.
  vim.lsp.buf.code_action({
    filter = function(action)
      return action.title == "Tick task" or action.title == "Untick task"
    end,
    apply = true,
  })
  result.code_action.line_after = common.changed_line(bufnr, lnum, before, wait_for)
  step("code action")
  common.check_diagnostics_after_tick(bufnr, lnum, wait_for)
end

local function check_toggle_command()
  local lnum = common.line_holding(bufnr, LINES.toggle)
  local before = common.line_text(bufnr, lnum)
  result.toggle_command = { lnum = lnum, line_before = before }
  vim.api.nvim_win_set_cursor(0, { lnum + 1, 0 })
  -- What the README's <M-c> key map runs; the server answers with workspace/applyEdit.
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  client:exec_cmd({
    title = "Toggle task",
    command = "backlog-ls.toggleTask",
    arguments = { vim.uri_from_bufnr(bufnr), { line = row - 1, character = col } },
  }, { bufnr = bufnr })
  result.toggle_command.line_after = common.changed_line(bufnr, lnum, before, wait_for)
  step("toggle command")
end


local function check_completions()
  -- With nothing set up, the attached client's omnifunc (<C-x><C-o>) completes.
  result.omnifunc = vim.bo[bufnr].omnifunc
  local after = "):** Done."
  common.complete(bufnr, "omnifunc", { start = "- [ ] **Task 4.3 (", typed = "#", open = "<C-x><C-o>", label = "#40", after = after }, function()
    -- Neovim's own completion as users turn it on in LspAttach (editors/neovim/README.md): '#' opens it.
    vim.lsp.completion.enable(true, client.id, bufnr, { autotrigger = true })
    common.complete(bufnr, "bare hash", { start = "- [ ] **Task 4.4 (", typed = "#", open = "", label = "#40", after = after }, function()
      common.complete(bufnr, "after Issue", { start = "- [ ] **Task 4.5 (Issue", typed = " #", open = "", label = "#40", after = after }, finish)
    end)
  end)
end

local function main()
  vim.lsp.log.set_level("debug")
  result.log_path = vim.lsp.log.get_filename()
  attach()
  common.check_diagnostics(bufnr, wait_for)
  if os.getenv("BACKLOG_LS_ONLY_ATTACH") == "1" then
    return finish()
  end
  check_hover()
  check_inlay_hints()
  check_tick_action()
  check_toggle_command()
  check_completions() -- ends the session when its last step is done
end

vim.api.nvim_create_autocmd("VimEnter", {
  once = true,
  nested = true, -- so that opening the backlog fires FileType
  callback = common.guarded(main),
})
