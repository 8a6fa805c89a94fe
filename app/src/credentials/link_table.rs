use super::api::RevokeAccessLink;
use crate::components::Pager;
use crate::format::instant_in;
use leptos::prelude::*;
use postern::model::{AccessLink, LinkStatus, Listing};

/// The links: recipient, channel, group, validity, uses, last used, status.
#[component]
pub fn LinkTable(list: Listing<AccessLink>, revoke: ServerAction<RevokeAccessLink>, query: String, zone: String) -> impl IntoView {
    let pager = (list.page, list.page_count(), list.total);
    view! {
        <div class="table-scroll">
        <table class="list">
            <thead>
                <tr>
                    <th>"Recipient"</th><th>"Sent via"</th><th>"Group"</th><th>{format!("Valid ({zone})")}</th>
                    <th>"Uses"</th><th>"Last used"</th><th>"Status"</th><th></th>
                </tr>
            </thead>
            <tbody>
                {list.items.into_iter().map(|link| link_row(link, revoke, &zone)).collect_view()}
            </tbody>
        </table>
        </div>
        <Pager page=pager.0 page_count=pager.1 total=pager.2 query=query/>
    }
}

fn link_row(link: AccessLink, revoke: ServerAction<RevokeAccessLink>, zone: &str) -> impl IntoView {
    let validity = match (link.valid_from, link.valid_until) {
        (None, None) => "Always".to_owned(),
        (from, until) => format!(
            "{} → {}",
            from.map_or_else(|| "now".to_owned(), |f| instant_in(Some(f), zone)),
            until.map_or_else(|| "no end".to_owned(), |u| instant_in(Some(u), zone))
        ),
    };
    let revocable = !matches!(link.status, LinkStatus::Revoked);
    let label = format!("Revoke the link for {}", link.recipient_name);
    view! {
        <tr data-testid="link-row">
            <td>{link.recipient_name.clone()}</td>
            <td>{link.channel.label()}<br/><small class="muted">{link.sent_to.clone()}</small></td>
            <td>{link.group_name.clone()}</td>
            <td>{validity}</td>
            <td>{link.uses_text()}</td>
            <td>{instant_in(link.last_used_at, zone)}</td>
            <td><span class=format!("pill {}", link.status.tone())>{link.status.label()}</span></td>
            <td>{revocable.then(|| view! {
                <ActionForm action=revoke>
                    <input type="hidden" name="id" value=link.id/>
                    <button type="submit" class="link danger-text" aria-label=label>"Revoke"</button>
                </ActionForm>
            })}</td>
        </tr>
    }
}
