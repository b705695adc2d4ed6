package main

// provinceInfo is the project's curation of one Natural Earth admin-1
// feature: the common English name (as used in the project's fact tables
// and in the district and crossing layers), the ISO 3166-2 code, other
// names (Natural Earth's spellings first) and what was corrected.
type provinceInfo struct {
	Name     string
	ISO      string
	AltNames []string
	Note     string
	History  string
	// MergeInto names the adm1_code of the province this feature is
	// merged into (F.A.T.A.).
	MergeInto string
}

// Notes and histories of the corrected provinces.
const (
	noteDaykundi = "Natural Earth labels this polygon Uruzgan (AF-URU); it is Daykundi, split from Uruzgan in 2004. Name and ISO 3166-2 code corrected by the durand pipeline."
	notePanjshir = "Natural Earth labels this polygon Parwan (AF-PAR); it is Panjshir, split from Parwan in 2004. Name and ISO 3166-2 code corrected by the durand pipeline."
	notePaktia   = "Natural Earth gives this polygon the ISO 3166-2 code of Paktika (AF-PKA); corrected to AF-PIA by the durand pipeline."
	notePaktika  = "Natural Earth gives this polygon the ISO 3166-2 code of Paktia (AF-PIA) and lists Paktia's spellings as its alternative names; corrected to AF-PKA and those names dropped by the durand pipeline."
	noteKP       = "Natural Earth shows the former F.A.T.A. (PAK-1112, PK-TA) as a separate unit; the durand pipeline merged its polygon into Khyber Pakhtunkhwa."
	historyKP    = "The Federally Administered Tribal Areas (F.A.T.A.: the Bajaur, Mohmand, Khyber, Orakzai, Kurram, North Waziristan and South Waziristan agencies and the frontier regions) were merged into Khyber Pakhtunkhwa by the 25th Amendment to the Constitution of Pakistan, in force 31 May 2018; the agencies became districts of the province. The polygon is the union of Natural Earth PAK-1123 (K.P.) and PAK-1112 (F.A.T.A.)."
)

// provinceNames returns the project's curation keyed by Natural Earth
// adm1_code. Every AFG and PAK feature of the input must be listed.
func provinceNames() map[string]provinceInfo {
	return map[string]provinceInfo{
		"AFG-1741": {Name: "Badghis", ISO: "AF-BDG", AltNames: []string{"Badghes", "Badghisat", "Badgis"}},
		"AFG-1742": {Name: "Herat", ISO: "AF-HER", AltNames: []string{"Hirat"}},
		"AFG-1743": {Name: "Bamyan", ISO: "AF-BAM", AltNames: []string{"Bamiyan"}},
		"AFG-1744": {Name: "Balkh", ISO: "AF-BAL", AltNames: []string{"Balh", "Mazar-i-Sharif", "Mazar"}},
		"AFG-1745": {Name: "Faryab", ISO: "AF-FYB", AltNames: []string{"Fariab", "Maimana", "Meymaneh"}},
		"AFG-1746": {Name: "Jowzjan", ISO: "AF-JOW", AltNames: []string{"Jawzjan", "Jaozjan", "Jozjan", "Juzjan", "Jouzjan", "Shibarghan"}},
		"AFG-1747": {Name: "Ghor", ISO: "AF-GHO", AltNames: []string{"Ghōr", "Gawr", "Ghore", "Ghour", "Ghur"}},
		"AFG-1748": {Name: "Sar-e Pol", ISO: "AF-SAR", AltNames: []string{"Sari Pul", "Sar-e Pul", "Saripol"}},
		"AFG-1749": {Name: "Farah", ISO: "AF-FRA", AltNames: []string{}},
		"AFG-1750": {Name: "Helmand", ISO: "AF-HEL", AltNames: []string{"Hilmand", "Girishk", "Hilmend"}},
		"AFG-1751": {Name: "Nimruz", ISO: "AF-NIM", AltNames: []string{"Nimroz", "Neemroze", "Nimrod", "Nimrooz", "Nimroze", "Chakhansur"}},
		"AFG-1752": {Name: "Uruzgan", ISO: "AF-URU", AltNames: []string{"Urozgan", "Oruzgan"}},
		"AFG-1753": {Name: "Daykundi", ISO: "AF-DAY", AltNames: []string{"Daikundi", "Dai Kundi"}, Note: noteDaykundi},
		"AFG-1754": {Name: "Kandahar", ISO: "AF-KAN", AltNames: []string{"Qandahar"}},
		"AFG-1755": {Name: "Zabul", ISO: "AF-ZAB", AltNames: []string{"Zubul", "Zaboul"}},
		"AFG-1757": {Name: "Ghazni", ISO: "AF-GHA", AltNames: []string{"Gazni"}},
		"AFG-1758": {Name: "Khost", ISO: "AF-KHO", AltNames: []string{"Khowst"}},
		"AFG-1759": {Name: "Paktika", ISO: "AF-PKA", AltNames: []string{}, Note: notePaktika},
		"AFG-1760": {Name: "Badakhshan", ISO: "AF-BDS", AltNames: []string{"Badahšan"}},
		"AFG-1761": {Name: "Nuristan", ISO: "AF-NUR", AltNames: []string{"Nooristan", "Nuristão"}},
		"AFG-1762": {Name: "Kunar", ISO: "AF-KNR", AltNames: []string{"Konarha", "Kunarha"}},
		"AFG-1763": {Name: "Kunduz", ISO: "AF-KDZ", AltNames: []string{"Kondoz", "Qonduz", "Qunduz"}},
		"AFG-1764": {Name: "Nangarhar", ISO: "AF-NAN", AltNames: []string{"Ningrahar", "Eastern Province"}},
		"AFG-1765": {Name: "Takhar", ISO: "AF-TAK", AltNames: []string{"Takar"}},
		"AFG-1766": {Name: "Baghlan", ISO: "AF-BGL", AltNames: []string{"Baglan", "Bughlan"}},
		"AFG-1767": {Name: "Kabul", ISO: "AF-KAB", AltNames: []string{"Cabul", "Kabol", "Kaboul"}},
		"AFG-1768": {Name: "Kapisa", ISO: "AF-KAP", AltNames: []string{"Kapesa"}},
		"AFG-1769": {Name: "Panjshir", ISO: "AF-PAN", AltNames: []string{"Panjsher", "Panjshear"}, Note: notePanjshir},
		"AFG-1770": {Name: "Laghman", ISO: "AF-LAG", AltNames: []string{"Lagman"}},
		"AFG-1771": {Name: "Logar", ISO: "AF-LOG", AltNames: []string{"Lawghar", "Loghar"}},
		"AFG-1772": {Name: "Parwan", ISO: "AF-PAR", AltNames: []string{"Charikar"}},
		"AFG-1773": {Name: "Samangan", ISO: "AF-SAM", AltNames: []string{}},
		"AFG-1774": {Name: "Maidan Wardak", ISO: "AF-WAR", AltNames: []string{"Wardak", "Verdak", "Wardag", "Maiden"}},
		"AFG-3413": {Name: "Paktia", ISO: "AF-PIA", AltNames: []string{"Paktya", "Paktiya", "Southern Province"}, Note: notePaktia},
		"PAK-1108": {Name: "Balochistan", ISO: "PK-BA", AltNames: []string{"Baluchistan", "Beluchistan", "Béloutchistan", "Baluchistão"}},
		"PAK-1109": {Name: "Azad Kashmir", ISO: "PK-JK", AltNames: []string{"Azad Jammu and Kashmir"}},
		"PAK-1110": {Name: "Islamabad Capital Territory", ISO: "PK-IS", AltNames: []string{"F.C.T.", "Islamabad", "Federal Capital Territory", "Federal Capital Territory Islamabad"}},
		"PAK-1111": {Name: "Gilgit-Baltistan", ISO: "PK-GB", AltNames: []string{"Northern Areas", "Gilgit Baltistan"}},
		"PAK-1112": {MergeInto: "PAK-1123"},
		"PAK-1113": {Name: "Punjab", ISO: "PK-PB", AltNames: []string{"Pendjab", "Penjab"}},
		"PAK-1114": {Name: "Sindh", ISO: "PK-SD", AltNames: []string{"Sind"}},
		"PAK-1123": {Name: "Khyber Pakhtunkhwa", ISO: "PK-KP", AltNames: []string{"K.P.", "North-West Frontier Province", "N.W.F.P.", "KPK"}, Note: noteKP, History: historyKP},
	}
}
