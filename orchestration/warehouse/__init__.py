"""The ground floor: what every stage uses, importing no stage.

settings (where things are, one environment variable each), the warehouse resource and its connections, the refresh
lock, the retry policy, the dbt project and its offline CLI, file helpers, the audit tables and the quality report.
"""
