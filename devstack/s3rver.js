// Runs s3rver and appends every S3 event it emits (the AWS S3 notification shape)
// to a JSON-lines file, which the local event dispatcher reads like a queue.
//
// s3rver knows one fixed key pair. The temporary keys the local STS (moto) issues are
// admitted as AWS admits them: only a key STS issued, and only with its session token.
// Like s3rver's own pair, they are not checked further: s3rver verifies no Signature V4
// and evaluates no IAM policy (so the key prefix a session policy names is not enforced here).
"use strict";
const fs = require("fs");
const S3rver = require("s3rver");
const AWSAccount = require("s3rver/lib/models/account");
const S3Error = require("s3rver/lib/models/error");

const [port, directory, eventLog, stsEndpoint] = process.argv.slice(2);
fs.mkdirSync(directory, { recursive: true });

const server = new S3rver({
  address: "127.0.0.1",
  port: Number(port),
  directory,
  silent: true,
});
server.on("event", (event) => {
  fs.appendFileSync(eventLog, JSON.stringify(event) + "\n");
});

// Session token of each temporary key seen so far; the process is single-threaded.
const sessionTokens = new Map();

function requestValue(ctx, name) {
  const wanted = name.toLowerCase();
  const entry = Object.entries(ctx.query).find(([key]) => key.toLowerCase() === wanted);
  return entry ? entry[1] : ctx.get(name) || undefined;
}

function accessKeyId(ctx) {
  const authorization = ctx.get("Authorization");
  const header = /Credential=([^/,\s]+)/.exec(authorization) || /^AWS ([^:]+):/.exec(authorization);
  if (header) return header[1];
  const credential = requestValue(ctx, "X-Amz-Credential");
  return credential ? credential.split("/")[0] : requestValue(ctx, "AWSAccessKeyId");
}

async function issuedByLocalSts(keyId) {
  // moto lists the sessions it handed out in its model dump; one look-up per new key.
  const response = await fetch(`${stsEndpoint}/moto-api/data.json`);
  const sessions = ((await response.json()).sts || {}).AssumedRole || [];
  return sessions.find((session) => session.access_key_id === keyId);
}

async function admitTemporaryKeys(ctx, next) {
  const keyId = accessKeyId(ctx);
  if (!stsEndpoint || !keyId || keyId === "S3RVER") return next();
  if (!sessionTokens.has(keyId)) {
    const session = await issuedByLocalSts(keyId).catch(() => undefined);
    if (session) {
      sessionTokens.set(keyId, session.session_token);
      AWSAccount.DUMMY_ACCOUNT.createKeyPair(keyId, session.secret_access_key);
    }
  }
  if (!sessionTokens.has(keyId)) {
    throw new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
      AWSAccessKeyId: keyId,
    });
  }
  if (requestValue(ctx, "X-Amz-Security-Token") !== sessionTokens.get(keyId)) {
    throw new S3Error("InvalidToken", "The provided token is malformed or otherwise invalid.");
  }
  return next();
}
// Ahead of s3rver's router (which authenticates), behind its logger.
server.middleware.splice(1, 0, admitTemporaryKeys);

server.run().then(
  ({ address, port: boundPort }) => console.log(`s3rver listening on ${address}:${boundPort}`),
  (error) => {
    console.error(`s3rver failed to start: ${error.message}`);
    process.exit(1);
  },
);
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => server.close().then(() => process.exit(0)));
}
