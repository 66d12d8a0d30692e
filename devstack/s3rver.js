// Runs s3rver and appends every S3 event it emits (the AWS S3 notification shape)
// to a JSON-lines file, which the local event dispatcher reads like a queue.
"use strict";
const fs = require("fs");
const S3rver = require("s3rver");

const [port, directory, eventLog] = process.argv.slice(2);
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
