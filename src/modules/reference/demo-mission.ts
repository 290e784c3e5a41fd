import type { AdminAreaInput, PartyInput } from './schema.ts';
import type { MissionSetup } from './service.ts';

/**
 * Reference data of the demo mission: two provinces of eastern DRC where the MRM country task force
 * works, and the parties named in the Secretary-General's reports on children and armed conflict.
 *
 * The area codes follow the P-code pattern (a child's code starts with its parent's) but are
 * illustrative: they are NOT the official OCHA COD-AB P-codes and must not be joined to real
 * boundary data.
 */
const BOUNDARY_VERSION = 'COD-AB 2023-11 (demo codes)';

/** Admin2 codes the demo data generator and the demo users' scopes refer to. */
export const DEMO_AREAS = {
  country: 'CD',
  ituri: 'CD54',
  northKivu: 'CD61',
  aru: 'CD5401',
  djugu: 'CD5402',
  irumu: 'CD5403',
  mahagi: 'CD5404',
  mambasa: 'CD5405',
  bunia: 'CD5406',
  beni: 'CD6101',
  lubero: 'CD6102',
  masisi: 'CD6103',
  nyiragongo: 'CD6104',
  rutshuru: 'CD6105',
  walikale: 'CD6106',
  beniCity: 'CD6107',
  butembo: 'CD6108',
  goma: 'CD6109',
} as const;

function area(pcode: string, level: number, parent: string | null, en: string, fr = en): AdminAreaInput {
  return { pcode, country_iso3: 'COD', admin_level: level, parent_pcode: parent, name: en, names: { en, fr }, boundary_version: BOUNDARY_VERSION };
}

const A = DEMO_AREAS;
const adminAreas: AdminAreaInput[] = [
  area(A.country, 0, null, 'Democratic Republic of the Congo', 'République démocratique du Congo'),
  area(A.ituri, 1, A.country, 'Ituri'),
  area(A.northKivu, 1, A.country, 'North Kivu', 'Nord-Kivu'),
  area(A.aru, 2, A.ituri, 'Aru'),
  area(A.djugu, 2, A.ituri, 'Djugu'),
  area(A.irumu, 2, A.ituri, 'Irumu'),
  area(A.mahagi, 2, A.ituri, 'Mahagi'),
  area(A.mambasa, 2, A.ituri, 'Mambasa'),
  area(A.bunia, 2, A.ituri, 'Bunia (city)', 'Bunia (ville)'),
  area(A.beni, 2, A.northKivu, 'Beni'),
  area(A.lubero, 2, A.northKivu, 'Lubero'),
  area(A.masisi, 2, A.northKivu, 'Masisi'),
  area(A.nyiragongo, 2, A.northKivu, 'Nyiragongo'),
  area(A.rutshuru, 2, A.northKivu, 'Rutshuru'),
  area(A.walikale, 2, A.northKivu, 'Walikale'),
  // Cities are admin2 units of their own in COD-AB, beside the territory of the same name.
  area(A.beniCity, 2, A.northKivu, 'Beni (city)', 'Beni (ville)'),
  area(A.butembo, 2, A.northKivu, 'Butembo (city)', 'Butembo (ville)'),
  area(A.goma, 2, A.northKivu, 'Goma (city)', 'Goma (ville)'),
];

/**
 * Fixed party ids, so that seeding twice from the same seed gives the same records and a demo
 * script or test can name a party without looking it up.
 */
export const DEMO_PARTIES = {
  fardc: '7d3e0000-0000-4000-8000-000000000001',
  pnc: '7d3e0000-0000-4000-8000-000000000002',
  adf: '7d3e0000-0000-4000-8000-000000000003',
  codeco: '7d3e0000-0000-4000-8000-000000000004',
  m23: '7d3e0000-0000-4000-8000-000000000005',
  fdlr: '7d3e0000-0000-4000-8000-000000000006',
  fpic: '7d3e0000-0000-4000-8000-000000000007',
  zaire: '7d3e0000-0000-4000-8000-000000000008',
  nyatura: '7d3e0000-0000-4000-8000-000000000009',
  apcls: '7d3e0000-0000-4000-8000-00000000000a',
  raiaMutomboki: '7d3e0000-0000-4000-8000-00000000000b',
  frpi: '7d3e0000-0000-4000-8000-00000000000c',
  ndcr: '7d3e0000-0000-4000-8000-00000000000d',
  unidentified: '7d3e0000-0000-4000-8000-0000000000ff',
} as const;
export type DemoPartyKey = keyof typeof DEMO_PARTIES;

const P = DEMO_PARTIES;
const nsag = (id: string, name: string, aliases: string[]): PartyInput => ({ id, name, aliases, category: 'non_state_armed_group', country_iso3: 'COD' });

// Names as the annual SG reports on children and armed conflict write them; the first alias is
// the short form narratives use.
const parties: PartyInput[] = [
  { id: P.fardc, name: 'Forces armées de la République démocratique du Congo (FARDC)', aliases: ['FARDC'], category: 'state_armed_forces', country_iso3: 'COD' },
  { id: P.pnc, name: 'Police nationale congolaise (PNC)', aliases: ['PNC'], category: 'state_armed_forces', country_iso3: 'COD' },
  nsag(P.adf, 'Allied Democratic Forces (ADF)', ['ADF', 'ADF/MTM', 'ISCAP']),
  nsag(P.codeco, 'Coopérative pour le développement du Congo (CODECO)', ['CODECO', 'CODECO/URDPC', 'URDPC', 'CODECO/ALC']),
  nsag(P.m23, 'Mouvement du 23 mars (M23)', ['M23', 'ARC/M23']),
  nsag(P.fdlr, 'Forces démocratiques de libération du Rwanda (FDLR)', ['FDLR', 'FDLR-FOCA']),
  nsag(P.fpic, 'Force patriotique et intégrée du Congo (FPIC)', ['FPIC', 'Chini ya Kilima']),
  nsag(P.zaire, 'Zaïre (Ituri self-defence group)', ['Zaïre', 'Zaire']),
  nsag(P.nyatura, 'Mai-Mai Nyatura', ['Nyatura', 'Nyatura CMC']),
  nsag(P.apcls, 'Alliance des patriotes pour un Congo libre et souverain (APCLS)', ['APCLS']),
  nsag(P.raiaMutomboki, 'Mai-Mai Raia Mutomboki', ['Raia Mutomboki']),
  nsag(P.frpi, 'Forces de résistance patriotiques de l\'Ituri (FRPI)', ['FRPI']),
  nsag(P.ndcr, 'Nduma défense du Congo-Rénové (NDC-R)', ['NDC-R']),
  { id: P.unidentified, name: 'Unidentified armed group', aliases: [], category: 'unknown', country_iso3: 'COD' },
];

export const DEMO_MISSION: MissionSetup = {
  missionId: 'monusco',
  name: 'MONUSCO (demo)',
  countries: [{ iso3: 'COD', name: 'Democratic Republic of the Congo' }],
  adminAreas,
  parties,
};
