"""The local AWS stack: DynamoDB Local, cognito-local, s3rver and moto's server, started as child processes."""
