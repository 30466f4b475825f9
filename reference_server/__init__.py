"""A real HTTP reference implementation of GET /v2/runtimes/{runtimeId}/runs, with switchable faults."""
from .faults import FAULTS, Fault
from .seed import SeedInfo
from .server import ReferenceServer, RequestRecord

__all__ = ["FAULTS", "Fault", "ReferenceServer", "RequestRecord", "SeedInfo"]
