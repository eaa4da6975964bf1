"""News-event map: articles -> events -> places -> map.

Modules, in the order data flows through them:
  articles  read files into Article objects, reporting bad input as Problems
  dates     resolve time expressions against an article's date
  mentions  find place mentions in text (uses the gazetteer's names)
  events    turn an article into dated, located Events (one per happening)
  gazetteer curated landmarks + world cities/countries, offline
  geocode   resolve a PlaceMention to a Place (gazetteer, cache, Nominatim, world)
  pipeline  wire the stages together, with the on-disk extraction cache
  export    events as JSONL / CSV / GeoJSON
  mapview   build the folium map for a step
  snapshot  PNG of the dashboard in headless Chromium
  cli       `python -m geo ...`
"""
