//! Controls only some roles may use, shown only to them (the server refuses everyone else anyway).
use crate::api::auth::get_current_user;
use crate::model::auth::Role;
use leptos::prelude::*;

/// Renders `children` only when the logged-in user's role [allows](Role::allows) `needed`; nothing while that
/// is unknown, nothing when it is not.
#[component]
pub fn ForRole(
    /// The role the children need.
    needed: Role,
    /// What to show to a user whose role allows it.
    children: ChildrenFn,
) -> impl IntoView {
    let user = Resource::new(|| (), |_| get_current_user());
    view! {
        <Transition>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    let allowed = user.await.is_ok_and(|u| u.role.allows(needed));
                    allowed.then(|| children())
                })
            }}
        </Transition>
    }
}
