//! Any text as a GraphQL request (and any JSON as its variables) against the seed
//! directory, with the production limits: an answer, never a panic, a stack overflow
//! or an allocation the process cannot make.
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use libfuzzer_sys::fuzz_target;
use yorisoi_graphql::{Live, Options, Service, Snapshot, Tokens};

struct Served {
    runtime: tokio::runtime::Runtime,
    service: Service,
}

fn served() -> &'static Served {
    static SERVED: OnceLock<Served> = OnceLock::new();
    SERVED.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let seed = Path::new(env!("CARGO_MANIFEST_DIR")).join("../seed");
        let directory = Arc::new(yorisoi_seed::read_dir(&seed).unwrap().directory);
        let store = runtime.block_on(async {
            let store = yorisoi_store::Store::connect("sqlite::memory:").await.unwrap();
            store.replace_directory(&directory).await.unwrap();
            store
        });
        let index = Arc::new(yorisoi_search::SearchIndex::in_ram(&directory).unwrap());
        let live = Live::new(store, Snapshot::new(directory, index));
        Served { service: Service::new(live, Tokens::default(), &Options::default()), runtime }
    })
}

fuzz_target!(|data: &[u8]| {
    let served = served();
    // The first line may hold variables as JSON; the rest is the query.
    let text = String::from_utf8_lossy(data);
    let (first, rest) = text.split_once('\n').unwrap_or(("", &text));
    let mut request = async_graphql::Request::new(rest);
    if let Ok(variables) = serde_json::from_str::<serde_json::Value>(first) {
        request = request.variables(async_graphql::Variables::from_json(variables));
    }
    let deadline = Instant::now() + Duration::from_secs(10);
    let _ = served.runtime.block_on(served.service.execute_until(request, None, Some(deadline)));
});
