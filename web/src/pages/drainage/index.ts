import './drainage.css';
export { FacilitiesPage } from './FacilitiesPage.tsx';
export { KpiPage } from './KpiPage.tsx';
export { RemediationPage } from './RemediationPage.tsx';
export { WaterEnvironmentPage } from './WaterEnvironmentPage.tsx';
