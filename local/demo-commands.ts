/**
 * The two commands a newcomer pastes after `npm start`: a list with the demo member's key, and
 * an upload to the member's published post (the member is its author, so it may upload there).
 * One template for both places they appear: `npm start` prints them with the real URL, key and
 * post id; the README's quick start shows them with the shell variables of `DATA_DIR/demo.env`
 * (test/integration/readme-quick-start.test.ts checks the two agree and runs the README's).
 *
 * Plain POSIX shell + curl, base64, file: the upload streams the JSON body through a pipe, so
 * a file of any size up to the limit fits (a `-d "…"` argument stops at 128 KB on Linux).
 */
export interface DemoCommandValues {
  apiUrl: string;
  key: string;
  postId: string;
}

/** What the user replaces in the upload command, and nothing else. */
export const FILE_PLACEHOLDER = 'path/to/your/file.png';

/** The values as the shell variables `demo.env` defines. */
export const DEMO_ENV_VARIABLES: DemoCommandValues = {
  apiUrl: '$MEDIA_API_URL',
  key: '$MEDIA_API_KEY',
  postId: '$DEMO_POST_ID',
};

export function listCommand({ apiUrl, key }: DemoCommandValues): string {
  return `curl -s -H "Authorization: Bearer ${key}" "${apiUrl}/api/v1/media?limit=10"`;
}

export function uploadCommand({ apiUrl, key, postId }: DemoCommandValues): string {
  return [
    `FILE=${FILE_PLACEHOLDER}`,
    `{ printf '{"postId":"%s","fileName":"%s","mimeType":"%s","fileData":"' "${postId}" "$(basename "$FILE")" "$(file -b --mime-type "$FILE")"; base64 < "$FILE" | tr -d '\\n'; printf '"}'; } |`,
    `  curl -s -H "Authorization: Bearer ${key}" -H 'content-type: application/json' --data-binary @- "${apiUrl}/api/v1/media"`,
  ].join('\n');
}

/** `DATA_DIR/demo.env`: what the README's commands read (`. .data/demo.env`). */
export function demoEnvFile({ apiUrl, key, postId }: DemoCommandValues): string {
  return [
    '# Written by npm start on every start: the demo member, who may upload to DEMO_POST_ID.',
    `export MEDIA_API_URL=${apiUrl}`,
    `export MEDIA_API_KEY=${key}`,
    `export DEMO_POST_ID=${postId}`,
    '',
  ].join('\n');
}
