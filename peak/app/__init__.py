"""Entry points: the Hydra app peak-run and the operator CLI peak. The only importer of hydra/omegaconf."""
