import type { ComponentType } from 'react';
import type { MeDto, NetworkKind } from '../api.ts';
import type { LifelineStore } from '../store.ts';
import { AssessmentReport } from './AssessmentReport.tsx';
import { UserAdmin } from './UserAdmin.tsx';
import { Silences } from './Silences.tsx';
import { Webhooks } from './Webhooks.tsx';
import { FacilitiesPage, KpiPage, RemediationPage, WaterEnvironmentPage } from './drainage/index.ts';
import { InspectionsPage, IntrusionsLeaksPage, MisconnectionsPage } from './inspections/index.ts';

/** What every page receives: the live store (alarms, incidents, sensors) and who is logged in. */
export interface PageProps {
  store: LifelineStore;
  me?: MeDto;
}

/** Where a page sits in the navigation bar. */
export type PageGroup = 'operations' | 'drainage' | 'supervision' | 'admin';

export interface PageDefinition {
  /** The hash route: the page shows at `#/<id>`. */
  id: string;
  /** i18n key of the navigation label. */
  titleKey: string;
  group: PageGroup;
  /** Shown only to users holding one of these roles (all users when absent); the API gates the data regardless. */
  roles?: readonly string[];
  /** Shown to an owner unit only when it owns assets on one of these networks (all users when absent). */
  networks?: readonly NetworkKind[];
  component: ComponentType<PageProps>;
}

/**
 * The pages beside the monitoring map, in navigation order. A feature adds its page here; the
 * map (`#/` or no hash) is always first and is not an entry.
 */
export const PAGES: PageDefinition[] = [
  // Owner units see their own figures only (the API scopes them).
  { id: 'assessment', titleKey: 'assessment.nav', group: 'supervision', roles: ['bureau_supervisor', 'centre_operator', 'admin', 'owner_dispatcher'], component: AssessmentReport },
  { id: 'users', titleKey: 'userAdmin.nav', group: 'admin', roles: ['admin'], component: UserAdmin },
  { id: 'silences', titleKey: 'alerting.silences.nav', group: 'operations', component: Silences },
  { id: 'remediation', titleKey: 'drainageProgramme.nav.remediation', group: 'drainage', networks: ['drainage'], component: RemediationPage },
  { id: 'facilities', titleKey: 'drainageProgramme.nav.facilities', group: 'drainage', networks: ['drainage'], component: FacilitiesPage },
  { id: 'water', titleKey: 'drainageProgramme.nav.water', group: 'drainage', networks: ['drainage', 'river'], component: WaterEnvironmentPage },
  { id: 'kpi', titleKey: 'drainageProgramme.nav.kpi', group: 'drainage', roles: ['bureau_supervisor', 'centre_operator', 'admin'], component: KpiPage },
  { id: 'inspections', titleKey: 'inspections.nav', group: 'drainage', networks: ['drainage'], component: InspectionsPage },
  { id: 'misconnections', titleKey: 'findings.navMisconnections', group: 'drainage', networks: ['drainage'], component: MisconnectionsPage },
  { id: 'intrusions', titleKey: 'findings.navIntrusions', group: 'drainage', networks: ['drainage'], component: IntrusionsLeaksPage },
  { id: 'webhooks', titleKey: 'webhooks.nav', group: 'admin', roles: ['admin'], component: Webhooks },
];

const GROUP_ORDER: readonly PageGroup[] = ['operations', 'drainage', 'supervision', 'admin'];

/** The pages a user may open, grouped in navigation order (registry order within a group). */
export function pagesFor(me: MeDto | undefined): PageDefinition[] {
  const mayUse = (p: PageDefinition) =>
    (!p.roles || !me || me.roles.some((r) => p.roles!.includes(r))) &&
    (!p.networks || !me?.networks || me.networks.some((n) => p.networks!.includes(n)));
  return PAGES.filter(mayUse)
    .map((page, index) => ({ page, index }))
    .sort((a, b) => GROUP_ORDER.indexOf(a.page.group) - GROUP_ORDER.indexOf(b.page.group) || a.index - b.index)
    .map(({ page }) => page);
}
