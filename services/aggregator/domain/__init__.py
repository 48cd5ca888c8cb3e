"""The aggregator's pure core: state, windows, rules and alerts over plain values, time passed in.

Nothing here imports faust, asyncio or a database driver; the agents decode, call these and send.
"""
