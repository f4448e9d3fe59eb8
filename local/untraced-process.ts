/**
 * Imported first by `local/stack.ts` (an import with side effects only: it runs before any
 * module that loads the tracer). Under `npm start` nothing is traced (the Powertools tracer is
 * off outside Lambda), but merely loading the X-Ray SDK puts it in automatic mode: an async hook
 * on every promise and callback of the process, about a tenth of the API's CPU time under load
 * (bench `--only=npmstart`). Manual mode leaves async resources alone; on Lambda the
 * environment is untouched.
 */
process.env.AWS_XRAY_MANUAL_MODE ??= '1';
