# Information dropout's two I(X;Z) estimates over the epochs, from train_ip's
# i_xz_information_dropout.csv:  gnuplot -e "dir='out/train_ip/fc_information'" examples/torch/i_xz_estimates.gp
set terminal pngcairo size 1000,420 font 'sans,10'
if (!exists('dir')) dir = 'out/train_ip/fc_information'
if (!exists('png')) png = dir.'/i_xz_estimates.png'
set output png
set datafile separator ','
set multiplot layout 1,2
set key top right
set grid
set xlabel 'epoch'
set ylabel 'I(X;Z) [nats]'
do for [s in "train test"] {
  set title 'information dropout: I(X;Z) estimates, '.s
  f = dir.'/i_xz_information_dropout.csv'
  plot f using ($1):(strcol(2) eq s ? $4 : 1/0):(strcol(2) eq s ? $5 : 1/0):(strcol(2) eq s ? $6 : 1/0) with yerrorlines pt 7 title 'mixture (dropout-mc) [plug-in, leave-one-out]', \
       f using ($1):(strcol(2) eq s ? $3 : 1/0) with linespoints pt 5 title 'variational KL bound (upper)', \
       f using ($1):(strcol(2) eq s ? $8 : 1/0) with linespoints pt 9 title 'Gaussian bound (upper)', \
       f using ($1):(strcol(2) eq s ? $9 : 1/0) with lines dt 2 lc rgb 'gray40' title 'log N'
}
unset multiplot
