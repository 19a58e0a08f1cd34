//! Failures aimed at one route: "the check after an upload fails three times", "the reply to a
//! copy is lost after the host made it". Routes are named as in the stats' `by_route`
//! (`xfilesharing/file/list`, `yetishare/file/copy`, `keep2share/updateFile`).

use std::sync::Mutex;

use serde::{Deserialize, Serialize};

/// Requests to `route` that fail (an HTTP error page with `status`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct RouteFault {
    /// The route, as counted in the stats' `by_route`.
    pub route: String,
    /// Armed only once a request to this route has been seen (`xfilesharing/upload.cgi`: the
    /// requests after an upload); always armed when `None`.
    pub after: Option<String>,
    /// How many requests fail; every one when `None`.
    pub times: Option<u64>,
    /// 503 when zero.
    pub status: u16,
    /// The host acts on the request, then its reply is lost (replaced by the error).
    pub reply_lost: bool,
}

/// What happens to one request under the route faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Pass,
    /// Answer with this status without acting.
    Fail(u16),
    /// Act, then answer with this status instead of the reply.
    LoseReply(u16),
}

/// How far each fault of the current set has gone.
#[derive(Default)]
pub(crate) struct Progress {
    /// Per fault: armed, and how many requests it failed.
    state: Mutex<Vec<(bool, u64)>>,
}

impl Progress {
    /// Starts over (the faults were replaced).
    pub(crate) fn reset(&self) {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clear();
    }

    /// The verdict for a request to `route` under `faults`.
    pub(crate) fn judge(&self, faults: &[RouteFault], route: &str) -> Verdict {
        let mut state = self
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        state.resize(faults.len(), (false, 0));
        let mut verdict = Verdict::Pass;
        for (fault, (armed, failed)) in faults.iter().zip(state.iter_mut()) {
            let was_armed = *armed || fault.after.is_none();
            if fault.after.as_deref() == Some(route) {
                *armed = true;
            }
            if verdict != Verdict::Pass
                || fault.route != route
                || !was_armed
                || fault.times.is_some_and(|t| *failed >= t)
            {
                continue;
            }
            *failed += 1;
            let status = match fault.status {
                0 => 503,
                s => s,
            };
            verdict = if fault.reply_lost {
                Verdict::LoseReply(status)
            } else {
                Verdict::Fail(status)
            };
        }
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fault_after_a_route_counts_only_requests_after_it() {
        let faults = [RouteFault {
            route: "x/list".into(),
            after: Some("x/upload".into()),
            times: Some(2),
            ..Default::default()
        }];
        let p = Progress::default();
        assert_eq!(p.judge(&faults, "x/list"), Verdict::Pass);
        assert_eq!(p.judge(&faults, "x/upload"), Verdict::Pass);
        assert_eq!(p.judge(&faults, "x/list"), Verdict::Fail(503));
        assert_eq!(p.judge(&faults, "x/other"), Verdict::Pass);
        assert_eq!(p.judge(&faults, "x/list"), Verdict::Fail(503));
        assert_eq!(p.judge(&faults, "x/list"), Verdict::Pass);
        p.reset();
        assert_eq!(p.judge(&faults, "x/list"), Verdict::Pass);
    }

    #[test]
    fn a_lost_reply_and_an_endless_fault() {
        let faults = [RouteFault {
            route: "y/copy".into(),
            status: 500,
            reply_lost: true,
            ..Default::default()
        }];
        let p = Progress::default();
        for _ in 0..5 {
            assert_eq!(p.judge(&faults, "y/copy"), Verdict::LoseReply(500));
        }
    }
}
