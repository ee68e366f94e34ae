{-# LANGUAGE OverloadedStrings #-}
-- | ghcprof's demo service: a small HTTP API that builds order reports, so its profiles, heap profile and RTS
-- metrics have something to show.
--
--   GET /report?orders=N   generate N orders, aggregate them per customer and product, render a report
--   GET /metrics           Prometheus metrics: the GHC RTS (prometheus-metrics-ghc) and the service's own
--   GET /healthz           liveness
--
-- A background client calls the report every LOAD_INTERVAL_MS so the demo shows data without traffic.
-- Every report is also kept in a recent-reports cache; with LEAK=1 the cache is never trimmed, which makes the
-- live heap grow steadily (the "leak suspicion" alert and ghcprof's leak table then have something to find).
module Main (main) where

import Control.Concurrent (forkIO, myThreadId, threadDelay, throwTo)
import Control.Exception (evaluate)
import Control.Monad (forever, void, when)
import qualified Data.ByteString.Char8 as BS
import qualified Data.ByteString.Lazy.Char8 as LBS
import Data.IORef (IORef, atomicModifyIORef', newIORef)
import Data.List (foldl', sortOn)
import qualified Data.Map.Strict as Map
import Data.Maybe (fromMaybe)
import Data.Ord (Down (..))
import qualified Data.Sequence as Seq
import Network.HTTP.Types (hContentType, status200, status404)
import Network.Wai (Application, pathInfo, queryString, responseLBS)
import qualified Network.Wai.Handler.Warp as Warp
import qualified Prometheus as P
import Prometheus.Metric.GHC (ghcMetrics)
import System.Environment (lookupEnv)
import System.Exit (ExitCode (ExitSuccess))
import System.Posix.Signals (Handler (Catch), installHandler, sigTERM)
import Text.Read (readMaybe)

data Order = Order
  { orderCustomer :: !Int
  , orderProduct :: !Int
  , orderQuantity :: !Int
  , orderCents :: !Int
  }

data Metrics = Metrics
  { requests :: P.Vector P.Label1 P.Counter
  , reportSeconds :: P.Histogram
  }

data Config = Config
  { port :: Int
  , loadIntervalMs :: Int
  , leak :: Bool
  }

main :: IO ()
main = do
  config <- readConfig
  -- Kubernetes stops a pod with SIGTERM. By default that kills the process before the RTS writes the .prof
  -- (and closes the .hp); turning it into a normal exit of the main thread lets the RTS finish its reports.
  mainThread <- myThreadId
  void $ installHandler sigTERM (Catch (throwTo mainThread ExitSuccess)) Nothing
  void $ P.register ghcMetrics
  metrics <-
    Metrics
      <$> P.register (P.vector "endpoint" (P.counter (P.Info "demo_requests_total" "HTTP requests by endpoint")))
      <*> P.register (P.histogram (P.Info "demo_report_seconds" "Time to build one report") P.defaultBuckets)
  cache <- newIORef Seq.empty
  void $ forkIO (backgroundLoad config metrics cache)
  putStrLn ("demo-service listening on :" ++ show (port config))
  Warp.run (port config) (app config metrics cache)

readConfig :: IO Config
readConfig = do
  portText <- lookupEnv "PORT"
  intervalText <- lookupEnv "LOAD_INTERVAL_MS"
  leakText <- lookupEnv "LEAK"
  pure
    Config
      { port = fromMaybe 8080 (portText >>= readMaybe)
      , loadIntervalMs = fromMaybe 200 (intervalText >>= readMaybe)
      , leak = leakText == Just "1"
      }

app :: Config -> Metrics -> IORef (Seq.Seq BS.ByteString) -> Application
app config metrics cache request respond =
  case pathInfo request of
    ["report"] -> do
      count' "report"
      let orders = fromMaybe 2000 (lookup "orders" (queryString request) >>= id >>= readMaybe . BS.unpack)
      report <- timedReport config metrics cache orders
      respond (responseLBS status200 [(hContentType, "text/plain")] (LBS.fromStrict report))
    ["metrics"] -> do
      count' "metrics"
      body <- P.exportMetricsAsText
      respond (responseLBS status200 [(hContentType, "text/plain; version=0.0.4")] body)
    ["healthz"] -> respond (responseLBS status200 [] "ok\n")
    _ -> do
      count' "other"
      respond (responseLBS status404 [] "try /report, /metrics or /healthz\n")
  where
    count' endpoint = P.withLabel (requests metrics) endpoint P.incCounter

backgroundLoad :: Config -> Metrics -> IORef (Seq.Seq BS.ByteString) -> IO ()
backgroundLoad config metrics cache = forever $ do
  void $ timedReport config metrics cache 3000
  threadDelay (loadIntervalMs config * 1000)

timedReport :: Config -> Metrics -> IORef (Seq.Seq BS.ByteString) -> Int -> IO BS.ByteString
timedReport config metrics cache n = do
  seed <- atomicModifyIORef' cache (\c -> (c, Seq.length c))
  report <- P.observeDuration (reportSeconds metrics) (evaluate (renderReport (generateOrders seed n)))
  remember config cache report
  pure report

-- | Keeps the last reports (a bounded cache), or all of them with LEAK=1.
remember :: Config -> IORef (Seq.Seq BS.ByteString) -> BS.ByteString -> IO ()
remember config cache report = do
  size <- atomicModifyIORef' cache (\c -> let c' = trim (c Seq.|> report) in (c', Seq.length c'))
  when (size `mod` 1000 == 0) (putStrLn ("report cache holds " ++ show size ++ " reports"))
  where
    trim c
      | leak config = c
      | otherwise = Seq.drop (Seq.length c - 200) c

-- | Deterministic pseudo-random orders (a linear congruential generator: no dependency, same data every run).
generateOrders :: Int -> Int -> [Order]
generateOrders seed n = take n (go (seed * 7919 + 17))
  where
    go s =
      let s1 = next s
          s2 = next s1
          s3 = next s2
       in Order (s1 `mod` 500) (s2 `mod` 60) (1 + s3 `mod` 9) (100 + s2 `mod` 9900) : go s3
    next s = (s * 1103515245 + 12345) `mod` 2147483648

-- | Revenue in cents and items sold.
data Totals = Totals !Int !Int

totalCents :: Totals -> Int
totalCents (Totals cents _) = cents

instance Semigroup Totals where
  Totals a b <> Totals c d = Totals (a + c) (b + d)

aggregateBy :: (Order -> Int) -> [Order] -> Map.Map Int Totals
aggregateBy key = foldl' add Map.empty
  where
    add m o = Map.insertWith (<>) (key o) (Totals (orderCents o * orderQuantity o) (orderQuantity o)) m

renderReport :: [Order] -> BS.ByteString
renderReport orders =
  BS.unlines $
    ["top customers"]
      ++ map line (top (aggregateBy orderCustomer orders))
      ++ ["top products"]
      ++ map line (top (aggregateBy orderProduct orders))
  where
    top = take 10 . sortOn (Down . totalCents . snd) . Map.toList
    line (k, Totals cents items) =
      BS.pack (show k ++ "\t" ++ show items ++ " items\t" ++ show (cents `div` 100) ++ "." ++ pad (cents `mod` 100))
    pad c = if c < 10 then '0' : show c else show c
