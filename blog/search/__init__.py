"""Reader search of the blog: a term index in DynamoDB kept by the posts Stream (docs/blog-search.md)."""
