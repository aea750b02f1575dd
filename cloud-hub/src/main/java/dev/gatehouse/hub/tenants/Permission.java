package dev.gatehouse.hub.tenants;

/** One kind of thing a {@link Role} may do; pages and API routes each name the one they need. */
public enum Permission {
    /** Sites, doors, devices and their live state (the overview, doors, fleet and floor-plan pages). */
    VIEW_SITES,
    /** Member records, their plans and credentials. */
    VIEW_MEMBERS,
    /** The access log, its export and explanations. */
    VIEW_ACCESS_LOG,
    /** Create, edit, suspend and cancel members; assign plans. */
    MANAGE_MEMBERS,
    /** Enroll, revoke and mark lost credentials; visitor passes. */
    MANAGE_CREDENTIALS,
    /** Remote unlock of a door. */
    UNLOCK_DOORS,
    /** Lockdown and release of a site, emergency release. */
    LOCKDOWN,
    /** Book resources for members, book over the rules with a reason, cancel bookings. */
    MANAGE_BOOKINGS,
    /** Sites, doors, door groups, holidays, plans, bookable resources. */
    MANAGE_SITES,
    /** Devices, provisioning, the fleet. */
    MANAGE_DEVICES,
    /** The audit log. */
    VIEW_AUDIT,
    /** Tenant branding, API tokens, operator accounts and roles. */
    MANAGE_SETTINGS,
    /** Invoices, payments, connectors; revenue analytics (MRR, churn, cohorts, renewals). */
    FINANCE,
    /** Occupancy analytics of the role's sites: physical, sold, utilisation, no-shows, the heatmap. */
    VIEW_ANALYTICS
}
