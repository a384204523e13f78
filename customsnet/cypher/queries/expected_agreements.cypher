// Which agreements does the model expect next? A stored model run's top predicted new partners
// :param {run: 'latest', country: 'ALL', limit: 25}
// $run is a ModelRun id (e.g. 'demo-20240601-.../Formation') or 'latest' for the newest run with
// predictions; $country is an ISO3 code, a country name, or 'ALL'. Written by `customsnet demo` / `run`.
MATCH (m:ModelRun)
WHERE ($run = 'latest' OR m.id = $run) AND EXISTS { MATCH ()-[:PREDICTED_PARTNER {run: m.id}]->() }
WITH m ORDER BY m.created DESC LIMIT 1
MATCH (a:Country)-[p:PREDICTED_PARTNER {run: m.id}]->(b:Country)
WHERE $country = 'ALL' OR a.iso3 = $country OR toLower(a.name) = toLower($country)
RETURN m.id AS run, p.year AS year, a.iso3 AS country, b.iso3 AS partner, b.name AS partner_name,
       round(p.probability, 4) AS probability, p.rank AS rank
ORDER BY probability DESC, country, partner
LIMIT $limit
