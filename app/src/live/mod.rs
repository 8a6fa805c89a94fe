//! Live door status in the browser: one `EventSource` on `/live/doors` per
//! page (dashboard layout, member page) fills a map of the doors' latest
//! state, and a clock (the server's, estimated) lets every badge count an
//! unlock down and flip back to Locked at its `until` by itself.
//!
//! On the server, and in the browser until hydration, nothing is live: the
//! badge shows the state the page was rendered with, so pages read the same
//! with JavaScript off. The connection (and its reconnects, native to
//! `EventSource`) lives only in the Wasm.

mod door_state;

pub use door_state::{DoorState, Shown};

use leptos::prelude::*;
use postern::door_status::DoorLive;
use std::collections::HashMap;

/// The page's live door states and clock. Cheap to copy.
#[derive(Clone, Copy)]
pub struct LiveDoors {
    /// The latest state heard for each door (by id).
    pub states: RwSignal<HashMap<i64, DoorLive>>,
    /// The server's time now (ms), ticking in the browser; `None` on the
    /// server and until the page is hydrated.
    pub now: RwSignal<Option<i64>>,
    /// Server time minus browser time (ms), from the stream's `clock` event.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    offset: StoredValue<i64>,
}

impl LiveDoors {
    fn new() -> LiveDoors {
        LiveDoors { states: RwSignal::new(HashMap::new()), now: RwSignal::new(None), offset: StoredValue::new(0) }
    }

    /// The state to show for a door: the latest heard, else `initial`.
    pub fn state_of(&self, initial: &DoorLive) -> DoorLive {
        self.states.with(|states| states.get(&initial.door_id).cloned()).unwrap_or_else(|| initial.clone())
    }

    /// Records a state learnt on this page (a granted unlock) before the
    /// stream reports it.
    pub fn set(&self, state: DoorLive) {
        self.states.update(|states| {
            states.insert(state.door_id, state);
        });
    }

    /// The server's time now, estimated from the browser's clock (ms);
    /// also moves the page's clock to it. `None` on the server.
    pub fn refresh_now(&self) -> Option<i64> {
        #[cfg(feature = "hydrate")]
        {
            let now = js_sys::Date::now() as i64 + self.offset.get_value();
            self.now.set(Some(now));
            Some(now)
        }
        #[cfg(not(feature = "hydrate"))]
        None
    }
}

/// Provides the page's live door states and, in the browser, opens the
/// stream and starts the clock (closed again when the page goes away).
pub fn provide_live_doors() -> LiveDoors {
    let live = LiveDoors::new();
    provide_context(live);
    #[cfg(feature = "hydrate")]
    {
        let connection = StoredValue::new_local(None::<browser::Connection>);
        Effect::new(move |_| {
            if connection.with_value(Option::is_none) {
                connection.set_value(browser::Connection::open(live));
            }
        });
        on_cleanup(move || {
            if let Some(Some(open)) = connection.try_update_value(Option::take) {
                open.close();
            }
        });
    }
    live
}

/// The page's live door states, or a still one when no page provides them
/// (the door then shows what it was rendered with, and its own grants).
pub fn use_live_doors() -> LiveDoors {
    use_context::<LiveDoors>().unwrap_or_else(LiveDoors::new)
}

#[cfg(feature = "hydrate")]
mod browser {
    use super::LiveDoors;
    use leptos::prelude::*;
    use postern::door_status::DoorLive;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;
    use web_sys::{EventSource, MessageEvent};

    /// How often the page's clock ticks (the countdowns' resolution).
    const TICK_MS: u32 = 250;

    /// The open stream, its listeners and the clock; dropping the listeners
    /// and the interval stops them.
    pub struct Connection {
        source: EventSource,
        _door: Closure<dyn FnMut(MessageEvent)>,
        _clock: Closure<dyn FnMut(MessageEvent)>,
        _tick: gloo_timers::callback::Interval,
    }

    #[derive(serde::Deserialize)]
    struct Clock {
        now: i64,
    }

    impl Connection {
        pub fn open(live: LiveDoors) -> Option<Connection> {
            live.refresh_now();
            let tick = gloo_timers::callback::Interval::new(TICK_MS, move || {
                live.refresh_now();
            });
            // The snapshot covers changes between rendering and now.
            let source = EventSource::new("/live/doors?snapshot").ok()?;
            let door = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(state) = event.data().as_string().and_then(|text| serde_json::from_str::<DoorLive>(&text).ok()) {
                    live.set(state);
                }
            });
            let clock = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(clock) = event.data().as_string().and_then(|text| serde_json::from_str::<Clock>(&text).ok()) {
                    live.offset.set_value(clock.now - js_sys::Date::now() as i64);
                    live.refresh_now();
                }
            });
            source.add_event_listener_with_callback("door", door.as_ref().unchecked_ref()).ok()?;
            source.add_event_listener_with_callback("clock", clock.as_ref().unchecked_ref()).ok()?;
            Some(Connection { source, _door: door, _clock: clock, _tick: tick })
        }

        pub fn close(self) {
            self.source.close();
        }
    }
}
