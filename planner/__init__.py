"""Uusimaa service-network planner: travel-time accessibility and scenarios for adult social
services, Kela offices and reception centres.

Data flow: data → demand → traveltime → accessibility → scenario → outputs (tables, maps) → app / CLI.
"""

__version__ = "0.1.0"
