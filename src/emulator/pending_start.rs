//! TEMPORARY: stand-in for the emulator's start API until the emulator branch lands.
use super::{DemoAccount, EmulatorConfig};

pub struct EmulatorHandle;
impl EmulatorHandle {
    pub fn base_url(&self) -> String {
        String::new()
    }
    pub fn accounts(&self) -> Vec<DemoAccount> {
        Vec::new()
    }
    pub async fn shutdown(self) {}
    pub fn set_faults(&self, _f: super::Faults) {}
    pub fn stats(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
}
pub async fn start(_c: EmulatorConfig) -> std::io::Result<EmulatorHandle> {
    Err(std::io::Error::other("not yet"))
}
