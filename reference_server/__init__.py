"""A real HTTP reference implementation of GET /v2/runtimes/{runtimeId}/runs, with switchable faults."""
from .faults import FAULTS, Fault
from .server import ReferenceServer, RequestRecord
from .store import SeedInfo

__all__ = ["FAULTS", "Fault", "ReferenceServer", "RequestRecord", "SeedInfo"]
