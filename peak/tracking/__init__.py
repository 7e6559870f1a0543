"""MLflow tracking: the only importer of mlflow besides the registry."""
