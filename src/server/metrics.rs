//! Prometheus counters for `/metrics`: requests by route and status, latency
//! histograms, GraphQL errors by code, requests shed, and the directory's size.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Counters {
    requests: BTreeMap<(String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
    errors: BTreeMap<String, u64>,
    shed: u64,
}

/// What the server has done since it started.
#[derive(Default)]
pub struct Metrics {
    counters: Mutex<Counters>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

/// Gauges read when `/metrics` is scraped.
#[derive(Debug, Clone, Copy)]
pub struct Gauges {
    pub in_flight: usize,
    pub resources: usize,
    pub referrals: usize,
    pub store_statements: u64,
    /// Where the server stands in the change log.
    pub follow: yorisoi_graphql::FollowStatus,
    /// The version the last background audit is of, and the seconds it took.
    pub audit: Option<(i64, f64)>,
    /// Whether a new search index is being built beside the served one.
    pub index_rebuilding: bool,
}

impl Metrics {
    fn counters(&self) -> std::sync::MutexGuard<'_, Counters> {
        // A panic while holding the lock leaves only counts behind; keep counting.
        self.counters.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    pub fn request(&self, route: &str, status: u16, took: Duration) {
        let mut c = self.counters();
        *c.requests.entry((route.to_owned(), status)).or_default() += 1;
        let h = c.latency.entry(route.to_owned()).or_default();
        let seconds = took.as_secs_f64();
        for (bound, count) in BUCKETS.iter().zip(h.counts.iter_mut()) {
            if seconds <= *bound {
                *count += 1;
            }
        }
        h.sum += seconds;
        h.count += 1;
    }

    pub fn graphql_error(&self, code: &str) {
        *self.counters().errors.entry(code.to_owned()).or_default() += 1;
    }

    pub fn shed(&self) {
        self.counters().shed += 1;
    }

    /// The Prometheus text exposition format (version 0.0.4).
    pub fn render(&self, gauges: Gauges) -> String {
        let c = self.counters();
        let mut out = String::new();
        out.push_str("# HELP yorisoi_http_requests_total HTTP requests answered, by route and status.\n");
        out.push_str("# TYPE yorisoi_http_requests_total counter\n");
        for ((route, status), n) in &c.requests {
            let _ = writeln!(out, "yorisoi_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {n}");
        }
        out.push_str("# HELP yorisoi_http_request_duration_seconds Time to answer, by route.\n");
        out.push_str("# TYPE yorisoi_http_request_duration_seconds histogram\n");
        for (route, h) in &c.latency {
            for (bound, count) in BUCKETS.iter().zip(h.counts.iter()) {
                let _ = writeln!(
                    out,
                    "yorisoi_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "yorisoi_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "yorisoi_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ = writeln!(out, "yorisoi_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        out.push_str("# HELP yorisoi_graphql_errors_total GraphQL errors returned, by extensions.code.\n");
        out.push_str("# TYPE yorisoi_graphql_errors_total counter\n");
        for (code, n) in &c.errors {
            let _ = writeln!(out, "yorisoi_graphql_errors_total{{code=\"{code}\"}} {n}");
        }
        let gauge = |out: &mut String, name: &str, kind: &str, help: &str, value: String| {
            let _ = write!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}\n");
        };
        gauge(
            &mut out,
            "yorisoi_http_requests_shed_total",
            "counter",
            "GraphQL requests refused with 503 because the server was at its concurrency limit.",
            c.shed.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_http_requests_in_flight",
            "gauge",
            "GraphQL requests being answered now.",
            gauges.in_flight.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_directory_resources",
            "gauge",
            "Resources in the served directory.",
            gauges.resources.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_directory_referrals",
            "gauge",
            "Referrals in the served directory.",
            gauges.referrals.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_store_statements_total",
            "counter",
            "SQL statements run by the server since it started.",
            gauges.store_statements.to_string(),
        );
        let follow = &gauges.follow;
        gauge(
            &mut out,
            "yorisoi_changes_applied",
            "gauge",
            "The last change-log entry this server serves.",
            follow.applied.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_changes_newest",
            "gauge",
            "The newest change-log entry in the store when last read.",
            follow.newest.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_follow_lag_entries",
            "gauge",
            "Change-log entries written but not yet served by this server.",
            follow.lag_entries.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_follow_lag_seconds",
            "gauge",
            "How long the oldest change-log entry not yet served here has waited.",
            follow.lag_seconds.to_string(),
        );
        gauge(
            &mut out,
            "yorisoi_index_rebuilding",
            "gauge",
            "1 while a search index of new analyzers is built beside the served one.",
            u8::from(gauges.index_rebuilding).to_string(),
        );
        if let Some((version, seconds)) = gauges.audit {
            gauge(
                &mut out,
                "yorisoi_audit_version",
                "gauge",
                "The change-log entry the last background audit's snapshot held.",
                version.to_string(),
            );
            gauge(
                &mut out,
                "yorisoi_audit_seconds",
                "gauge",
                "How long the last background audit took.",
                seconds.to_string(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counts_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.request("/graphql", 200, Duration::from_millis(3));
        metrics.request("/graphql", 200, Duration::from_millis(30));
        metrics.graphql_error("BAD_USER_INPUT");
        let follow =
            yorisoi_graphql::FollowStatus { applied: 7, newest: 9, lag_entries: 2, lag_seconds: 0.5, ready: true };
        let gauges = Gauges {
            in_flight: 1,
            resources: 38,
            referrals: 18,
            store_statements: 0,
            follow,
            audit: Some((7, 1.5)),
            index_rebuilding: false,
        };
        let text = metrics.render(gauges);
        assert!(text.contains("yorisoi_follow_lag_entries 2\n"), "{text}");
        assert!(text.contains("yorisoi_audit_version 7\n"), "{text}");
        assert!(text.contains("yorisoi_http_requests_total{route=\"/graphql\",status=\"200\"} 2\n"), "{text}");
        // 3 ms is under 5 ms; 30 ms is not; both are under 50 ms.
        assert!(text.contains("bucket{route=\"/graphql\",le=\"0.005\"} 1\n"), "{text}");
        assert!(text.contains("bucket{route=\"/graphql\",le=\"0.05\"} 2\n"), "{text}");
        assert!(text.contains("yorisoi_graphql_errors_total{code=\"BAD_USER_INPUT\"} 1\n"), "{text}");
        assert!(text.contains("yorisoi_directory_resources 38\n"), "{text}");
    }
}
