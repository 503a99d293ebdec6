"""The registry database: its schema, the way it is opened, and every write to it.

Nothing outside this package writes to the registry: the sync hands it checked rows, and it
writes them inside the sync's transaction (`transaction`).
"""

from registry.store.db import (
    DEFAULT_DB,
    DRY_RUN_FOLDERS,
    RegistryMismatch,
    connect,
    dry_run_folder,
    now,
    registries_beside,
    snapshot,
    transaction,
    verify_log_path,
)
from registry.store.syncs import data_version, registry_as_of

__all__ = [
    "DEFAULT_DB",
    "DRY_RUN_FOLDERS",
    "RegistryMismatch",
    "connect",
    "data_version",
    "dry_run_folder",
    "now",
    "registries_beside",
    "registry_as_of",
    "snapshot",
    "transaction",
    "verify_log_path",
]
