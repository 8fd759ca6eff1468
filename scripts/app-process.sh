# Shared by the scripts that start the published app (sourced, not run): stop_app ends the app started in the
# background as $app_pid, with SIGTERM first (graceful shutdown) and SIGKILL after 15 s.
# Scripts start the app with Attention__ShutdownDrainSeconds=0: no load balancer to drain here.
app_pid=""

stop_app() {
  if [[ -n $app_pid ]] && kill -0 "$app_pid" 2> /dev/null; then
    kill "$app_pid" 2> /dev/null
    for _ in $(seq 1 150); do kill -0 "$app_pid" 2> /dev/null || break; sleep 0.1; done
    # Both fail when the app has already exited (and wait returns its status): not errors under set -e.
    kill -9 "$app_pid" 2> /dev/null || true
    wait "$app_pid" 2> /dev/null || true
  fi
  app_pid=""
}
