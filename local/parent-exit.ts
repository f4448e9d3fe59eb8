/**
 * Notices when the process that started this one goes away. `npm start` runs under npm (and
 * often under a supervisor or a test harness): if npm is killed outright (SIGKILL, an OOM kill)
 * no signal reaches this process, which would go on running the API and DynamoDB Local with no
 * one left to stop them. An orphan is re-parented (to PID 1 or a subreaper), so a changed
 * parent PID means the parent is gone. Linux's PR_SET_PDEATHSIG would say so at once but is
 * not reachable from Node; a cheap poll is.
 */
const DEFAULT_INTERVAL_MS = 500;

/**
 * Calls `onParentExit` once, after the parent process of this one has exited. The poll is
 * `unref`'d (it never keeps the process alive). Returns a function that stops watching.
 */
export function onParentExit(
  onParentExit: () => void,
  { intervalMs = DEFAULT_INTERVAL_MS, parentPid = () => process.ppid } = {},
): () => void {
  const original = parentPid();
  const timer = setInterval(() => {
    if (parentPid() === original) return;
    clearInterval(timer);
    onParentExit();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
