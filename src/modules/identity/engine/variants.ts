/**
 * Name variants no spelling rule can fold: forms of one name in different languages and registrations
 * (Ibrahim/Brahim, Khadija/Kadidja, Aminata/Aminah, Ahmed/Amadou, Ousmane/Uthman, Aboubakar/Boubacar) and
 * common English short forms (Tom/Thomas). Each group maps to its first name's transliteration key, so two
 * variants get the same key: they block together and compare at the "same transliteration key" level.
 * record-linkage.md §4 asks for such a table, kept by child-protection staff who know the local forms; this is
 * the seed list. A group holds forms of ONE name: a name shared by two different names' groups would join them.
 * Data only; phonetic.ts builds the key map from it.
 */

export const NAME_VARIANTS: readonly (readonly string[])[] = [
  // Arabic names as written in West, Central and East African and French registrations
  ['mohamed', 'muhammad', 'mohammed', 'mohamad', 'muhamad', 'mouhamed', 'mouhamad', 'mahamat', 'mahamad', 'mamadou', 'mahamadou', 'mohamadou', 'mouhammadou'],
  ['ibrahim', 'ibrahima', 'brahim', 'ebrahim', 'ibrahime', 'brahima'],
  ['khadija', 'kadidja', 'khadidja', 'kadija', 'kadiatou', 'khadidiatou'],
  ['aminata', 'aminatou', 'aminah', 'amina', 'aminatu'],
  ['ahmed', 'ahmad', 'ahmat', 'amadou', 'ahmadou', 'hamadou'],
  ['abdoulaye', 'abdullahi', 'abdallah', 'abdullah', 'abdoulahi', 'abdalla', 'abdulla'],
  ['idriss', 'idris', 'driss', 'idrissa'],
  ['youssouf', 'yusuf', 'youssef', 'yousif', 'yussuf', 'yousouf', 'youssoufa'],
  ['souleymane', 'sulayman', 'suleiman', 'sulaiman', 'suleyman', 'soulemane', 'souleiman'],
  ['moussa', 'musa', 'mousa'],
  ['oumar', 'omar', 'umar', 'omer'],
  ['ousmane', 'usman', 'osman', 'uthman', 'othman', 'ousman', 'usmane'],
  ['aboubakar', 'abubakar', 'aboubacar', 'boubacar', 'boubakar', 'abakar', 'abbakar', 'abou bakr', 'abubakr'],
  ['haroun', 'harun', 'aroun', 'haruna', 'harouna'],
  ['yacoub', 'yakub', 'yaqub', 'yacouba', 'yakouba', 'yaqoub'],
  ['fatima', 'fatime', 'fatouma', 'fatuma', 'fatoumata', 'fatimata', 'fadimata', 'fatma'],
  ['mariam', 'maryam', 'mariama', 'meriem', 'mariem', 'maryama'],
  ['aicha', 'aisha', 'aissa', 'aissatou', 'aichatou', 'ayesha', 'aysha'],
  ['zeinab', 'zaynab', 'zainab', 'zenab', 'zeynab'],
  ['halima', 'alima', 'halimatou', 'halimah'],
  ['hawa', 'awa', 'hawaou', 'hawaa'],
  ['ramatou', 'ramatu', 'ramata', 'rahmatou', 'rahmata'],
  ['safiya', 'safia', 'safiyya', 'safiatou'],
  ['hassan', 'assane', 'hasan', 'hassane', 'hassana'],
  ['hussein', 'husein', 'houssein', 'hussain', 'housseini', 'husseini'],
  ['adam', 'adama', 'adamou'],
  ['ali', 'aly', 'alioune'],
  ['salif', 'salifou', 'saliou'],
  // English short forms (historical registers)
  ['william', 'bill', 'will', 'willy', 'billy'],
  ['robert', 'bob', 'rob', 'bobby', 'robin'],
  ['thomas', 'tom', 'tommy'],
  ['james', 'jim', 'jimmy', 'jamie'],
  ['john', 'jack', 'johnny', 'jon'],
  ['richard', 'dick', 'rick', 'richie'],
  ['edward', 'ted', 'ned', 'eddie', 'ed'],
  ['henry', 'harry', 'hal', 'hank'],
  ['charles', 'charlie', 'chas', 'chuck'],
  ['elizabeth', 'betty', 'bess', 'bessie', 'beth', 'eliza', 'lizzie', 'liz'],
  ['margaret', 'peggy', 'maggie', 'meg', 'madge'],
  ['katherine', 'catherine', 'kate', 'kitty', 'kathy', 'cathy'],
];
