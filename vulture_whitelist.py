"""Names vulture cannot see being used, because a library calls them by name.

Vulture (`[tool.vulture]` in pyproject.toml, run by .ci/run) reads this file as if it were
more of our code: naming an attribute here counts as using it. The file is parsed, never
imported. Each entry says who uses the name; anything that is only dead goes, not here.
"""

_: object

# --- SQLAlchemy / SQLModel
_.isolation_level  # storage/database.py: pysqlite reads it; None hands BEGIN to SQLAlchemy
_.inherit_cache  # storage/summaries.py local_date: SQLAlchemy's statement cache reads it
_._compile_local_date  # storage/summaries.py: registered by @compiles, called by SQLAlchemy
_._compile_local_date_postgresql  # the same, PostgreSQL's dialect
_.impl  # storage/models.py TaskStatusColumn: a TypeDecorator's hooks, SQLAlchemy's to call
_.cache_ok  # the same
_.process_bind_param  # the same
_.process_result_value  # the same
_.confirmed_by  # storage/models.py ConfirmedRequest: a column, written in insert_unless_taken
_.installed_by  # storage/models.py Workspace: a column, written at install
_.enqueued_at  # storage/models.py Job: a column, written when a request is queued
_.autocommit  # storage/jobs.py: psycopg reads it on the raw connection
_.updated_at  # storage/models.py: columns written on every change, kept for whoever reads the rows

# --- pydantic
_.model_config  # handlers/payloads.py, task_creation.py: pydantic reads a model's config
_.callback_id  # handlers/payloads.py's shape check: fields declared so pydantic checks
_.event_ts  # their type (text or null), never read afterwards
_.channel_type  # the same

# --- Bolt / slack_sdk
_.authorize  # bot/installations.py: OAuthSettings.authorize, read by Bolt's App
_.resp  # bot/jobs.py's middleware: Bolt passes middleware arguments by name
_.build_install_page_html  # bot/installations.py InstallFlow: Bolt's OAuthFlow calls it
# handlers/*: listener methods, registered with Bolt by handlers.listening.Listeners.register
# from the route their decorator names (so nothing names them), and called by Bolt.
_.on_channel_change
_.on_fact_change
_.on_status_button
_.on_all_on_track
_.on_note_submitted
_.on_message
_.on_command
_.on_form_submitted
_.on_home_opened
_.on_trial_decision
_.on_accept
_.on_request_changes
_.on_changes_submitted
_.on_rate
_.on_rating_submitted
_.on_pending_task_clicked
_.on_menu
_.on_away_submitted
_.on_answer_button
_.on_answers_submitted
_.on_questions_submitted
_._can_retry  # bot/scheduler.py _SharedRateLimitWait: slack_sdk's RetryHandler calls it
_.prepare_for_next_attempt  # the same
_.next_attempt_requested  # the same: RetryState field slack_sdk reads after the call

# --- gunicorn, logging, the standard library's servers
_.load_config  # bot/gunicorn_app.py BotServer: gunicorn's BaseApplication calls it
_.stack_info  # bot/logs.py: a LogRecord field the formatter reads
_.daemon_threads  # socketserver.ThreadingMixIn reads it (the stand-in Slack's servers)
_.log_message  # http.server / wsgiref handlers call it (overridden to stay quiet)
_.handle_error  # socketserver.BaseServer calls it
_.server_version  # http.server.BaseHTTPRequestHandler reads it
_.protocol_version  # the same
_.disable_nagle_algorithm  # socketserver.StreamRequestHandler reads it
_.do_GET  # http.server dispatches on the method's name
_.do_POST  # the same
_.exc_type  # __exit__'s parameters: Python passes all three, we need none
_.tb  # the same

# --- bot/fake_slack/'s test-facing API: the stand-in Slack's core lives in bot/ because the
# console runs on it; tests/ (and bench/) call these to set it up and look inside it.
_.calls_to
_.reset_calls
_.installed_team
_.add_workspace  # also bench/fake_slack_server.py
_.set_oauth_client

# --- read outside the production packages
_.queries  # bot/installations.py WorkspaceClients: tests/test_workspaces.py counts look-ups
_.unfinished  # storage/jobs.py: tests/test_jobs.py and bench/ count the queue
_.drain  # bot/jobs.py JobRunner: tests/test_jobs.py runs the queue dry
_.close_idle_connections  # bot/slack_connections.py: tests start from an empty pool
