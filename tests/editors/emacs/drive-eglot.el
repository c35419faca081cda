;;; drive-eglot.el --- Drive backlog-ls through eglot in batch Emacs, write what a user would see  -*- lexical-binding: t; -*-

;; Environment (set by tests/editors/test_emacs.py):
;;   BACKLOG_LS_SNIPPET  the user snippet, editors/emacs/backlog-ls.el, loaded as a user would
;;   BACKLOG_LS_FILE     the backlog to open
;;   BACKLOG_LS_CODES    comma-separated rule codes (BL305,BL102) to wait for: the server publishes
;;                       once before the tracker's issues are read and again after
;;   BACKLOG_LS_HOVERS   JSON list of {"line": N (1-based), "text": "Issue #13"}: hover on that text
;;   BACKLOG_LS_RESULT   where to write the JSON result
;; The result holds the flymake diagnostics, the hover texts as eglot renders them and, on a
;; failure, the error and the tail of eglot's events buffer, so the Python side can explain it.

(require 'eglot)
(require 'json)
(require 'cl-lib)

(defvar drive-result (list (cons 'diagnostics []) (cons 'hovers [])))
(defconst drive-timeout 30 "Seconds to wait for the server before giving up.")

(defun drive-env (name)
  (or (getenv name) (error "%s is not set" name)))

(defun drive-wait-until (what predicate &optional no-error)
  "Process server output until PREDICATE is non-nil.
After a timeout, signal an error naming WHAT, or with NO-ERROR just return nil."
  (let ((deadline (+ (float-time) drive-timeout)))
    (while (and (not (funcall predicate))
                (or (< (float-time) deadline)
                    (if no-error nil
                      (error "Timed out after %ss waiting for %s" drive-timeout what))))
      (accept-process-output nil 0.05))
    (funcall predicate)))

(defun drive-codes-published-p (codes)
  "Non-nil when every rule code in CODES shows in some flymake diagnostic's text."
  (let ((texts (mapcar #'flymake-diagnostic-text (flymake-diagnostics))))
    (cl-every (lambda (code)
                (cl-some (lambda (text) (string-search (format "[%s]" code) text)) texts))
              codes)))

(defun drive-diagnostic (diag)
  "DIAG as the JSON object the test reads: 1-based lines and columns, type, text."
  (let ((beg (flymake-diagnostic-beg diag))
        (end (flymake-diagnostic-end diag)))
    (list (cons 'line (line-number-at-pos beg))
          (cons 'column (1+ (save-excursion (goto-char beg) (current-column))))
          (cons 'end_line (line-number-at-pos end))
          (cons 'end_column (1+ (save-excursion (goto-char end) (current-column))))
          (cons 'type (symbol-name (flymake-diagnostic-type diag)))
          (cons 'text (flymake-diagnostic-text diag)))))

(defun drive-hover (target)
  "Hover inside the text of TARGET on its line; return what eglot would show."
  (let ((line (alist-get 'line target))
        (text (alist-get 'text target)))
    (goto-char (point-min))
    (forward-line (1- line))
    (unless (search-forward text (line-end-position) t)
      (error "Line %d has no %S: %S" line text
             (buffer-substring (line-beginning-position) (line-end-position))))
    ;; Inside the reference, as a user's cursor would be, not on its first character.
    (goto-char (+ (match-beginning 0) 2))
    (let ((hover (jsonrpc-request (eglot-current-server) :textDocument/hover
                                  (eglot--TextDocumentPositionParams))))
      (list (cons 'line line) (cons 'text text)
            (cons 'hover (and hover (eglot--hover-info (plist-get hover :contents))))))))

(defun drive-events-tail ()
  "The end of eglot's events buffer: the JSON-RPC traffic and the server's stderr."
  (let ((server (ignore-errors (eglot-current-server))))
    (when server
      (with-current-buffer (jsonrpc-events-buffer server)
        (buffer-substring-no-properties (max (point-min) (- (point-max) 6000)) (point-max))))))

(defun drive-write-result ()
  (with-temp-file (drive-env "BACKLOG_LS_RESULT")
    (insert (json-encode drive-result))))

(defun drive ()
  (load (drive-env "BACKLOG_LS_SNIPPET") nil t)
  ;; No markdown-mode package here: a minimal mode of that name is what the snippet keys on.
  (unless (fboundp 'markdown-mode)
    (define-derived-mode markdown-mode text-mode "Markdown"))
  (let* ((file (drive-env "BACKLOG_LS_FILE"))
         (root (file-name-directory file))
         (hovers (json-read-from-string (drive-env "BACKLOG_LS_HOVERS"))))
    ;; The test folder is no VCS checkout: tell project.el where the project is.
    (add-hook 'project-find-functions (lambda (_dir) (cons 'transient root)))
    (find-file file)
    (markdown-mode)
    (apply #'eglot (eglot--guess-contact))
    (drive-wait-until "eglot to manage the buffer" #'eglot-managed-p)
    ;; Batch Emacs never starts flymake by itself.
    (flymake-start)
    ;; Whatever came by the deadline is recorded, and the test says what is missing; nothing at
    ;; all means the server is not talking to eglot.
    (let ((codes (split-string (drive-env "BACKLOG_LS_CODES") "," t)))
      (drive-wait-until "diagnostics" (lambda () (drive-codes-published-p codes)) t))
    (unless (flymake-diagnostics)
      (error "No diagnostics came from backlog-ls within %ss" drive-timeout))
    (setf (alist-get 'diagnostics drive-result)
          (vconcat (mapcar #'drive-diagnostic (flymake-diagnostics))))
    (setf (alist-get 'hovers drive-result)
          (vconcat (mapcar #'drive-hover hovers)))))

(condition-case err
    (progn (drive) (drive-write-result) (kill-emacs 0))
  (error
   (setf (alist-get 'error drive-result) (error-message-string err))
   (setf (alist-get 'events drive-result) (drive-events-tail))
   (drive-write-result)
   (kill-emacs 1)))

;;; drive-eglot.el ends here
