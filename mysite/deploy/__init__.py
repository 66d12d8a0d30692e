"""Deployment onto Lambda + API Gateway (Zappa), CloudFront and SES: rendering, policies, packaging."""
