//! YetiShare File Upload API v2 (zippyshare.cloud, cyberfile.me, potansiyelperisi.com, ...).
