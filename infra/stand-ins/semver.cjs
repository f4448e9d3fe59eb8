// `semver` for the Lambda bundles: see STAND_IN_ALIASES in infra/bundling.ts. Its one caller is
// the X-Ray SDK's patcher for the AWS SDK v2 (`captureAWS`), which checks the v2 SDK's version;
// this service traces SDK v3 clients only, so reaching it is a bug worth a clear message.
function unsupported() {
  throw new Error(
    'semver is not bundled: the X-Ray SDK patcher for AWS SDK v2 clients (captureAWS) is not supported; trace v3 clients with captureAWSv3Client',
  );
}
module.exports = { gte: unsupported };
