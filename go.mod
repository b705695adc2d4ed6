module github.com/durandline/durand

go 1.26.3

require (
	github.com/gorilla/mux v1.8.1 // indirect
	github.com/jonas-p/go-shp v0.1.1 // indirect
	github.com/paulmach/orb v0.14.0 // indirect
	github.com/peterstace/simplefeatures v0.50.0 // indirect
	github.com/tidwall/geodesic v1.52.3 // indirect
	github.com/tidwall/geoindex v1.7.0 // indirect
	github.com/tidwall/rtree v1.10.0 // indirect
	github.com/twpayne/go-geom v1.7.0 // indirect
	go.mongodb.org/mongo-driver/v2 v2.5.0 // indirect
	golang.org/x/text v0.44.0 // indirect
)
