"""The local AWS stack: DynamoDB Local, cognito-local and s3rver, started as child processes."""
