//! CIS 3.2 (log file validation) and 3.5 (KMS encryption): settings every multi-Region trail
//! covering the account must have.
use super::{AccountTrails, CREATE_TRAIL};
use crate::model::trails::analysis::CisCheck;
use crate::model::trails::analysis::listing::View;

/// A trail setting CIS asks of every multi-Region trail, and its words.
struct Setting {
    control: &'static str,
    title: &'static str,
    has: fn(&View) -> bool,
    on: &'static str,
    off: &'static str,
    /// What to do, `{}` standing for the trail's name.
    action: &'static str,
    option: &'static str,
}

impl AccountTrails<'_, '_> {
    /// 3.2 ("enabled on all CloudTrails"), on the multi-Region trails covering the account.
    pub(super) fn log_file_validation(&self) -> CisCheck {
        self.multi_region_setting(&Setting {
            control: "3.2",
            title: "Ensure CloudTrail log file validation is enabled",
            has: |v| v.validation_on(),
            on: "Log file validation is on for",
            off: "Log file validation is off for",
            action: "turn on log file validation for {}",
            option: "--enable-log-file-validation",
        })
    }

    /// 3.5, on the multi-Region trails covering the account.
    pub(super) fn kms_encryption(&self) -> CisCheck {
        self.multi_region_setting(&Setting {
            control: "3.5",
            title: "Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
            has: |v| v.kms_key().is_some(),
            on: "Log files are encrypted with a KMS key (SSE-KMS) for",
            off: "Log files are not encrypted with a KMS key (SSE-KMS) for",
            action: "encrypt {}'s log files with a KMS key whose policy lets CloudTrail use it",
            option: "--kms-key-id <KMS key ARN>",
        })
    }

    /// A setting every multi-Region trail covering the account must have.
    fn multi_region_setting(&self, setting: &Setting) -> CisCheck {
        let (control, title) = (setting.control, setting.title);
        let multi = self.filter(View::is_multi_region);
        if multi.is_empty() {
            let reason = self.none_reason(
                "No multi-Region trail covers this account, so none can have it (see 3.1)",
            );
            let fix = format!("Create and start a multi-Region trail: {CREATE_TRAIL}");
            return self.check(control, title, false, reason, fix);
        }
        let missing: Vec<&View> = multi
            .iter()
            .copied()
            .filter(|v| !(setting.has)(v))
            .collect();
        let Some(view) = self.pick(&missing) else {
            let reason = format!("{} {}.", setting.on, self.names(&multi));
            return self.check(control, title, true, reason, String::new());
        };
        let reason = format!("{} {}.", setting.off, self.names(&missing));
        let action = setting.action.replacen("{}", view.name(), 1);
        let mut fix = self.fix(view, &action, &Self::update_trail(view, setting.option));
        if missing.len() > 1 {
            fix.push_str(" (and the same for the others)");
        }
        self.check(control, title, false, reason, fix)
    }
}
